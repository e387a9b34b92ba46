import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeChannel } from "../../src/auth/change-bus.js";
import { testRedis, within } from "../auth/redis.js";
import { dropSchemas, randomSchemaName, withSchema } from "../store/postgres.js";
import {
  chat,
  type InProcessGateway,
  infraConfig,
  proxiedPostgres,
  randomToken,
  startInfraUpstream,
  startInProcess,
} from "./infra-harness.js";
import type { TcpFaultProxy } from "./tcp-fault-proxy.js";

/**
 * Issue 15 "Revocation broadcast never works": the Redis subscriber subscribed before its connection was up,
 * failed, and never tried again, so no replica listened; a replica whose store poll was failing kept
 * accepting a revoked token. Two gateways share one Postgres schema and one Redis prefix; the second reaches
 * the store through a fault proxy.
 */
describe("revocation broadcast between replicas", () => {
  const adminToken = randomToken("admin");
  const aliceToken = randomToken("alice");
  const schema = randomSchemaName();
  const redis = testRedis();
  let dir: string;
  let proxy: TcpFaultProxy;
  let upstream: Awaited<ReturnType<typeof startInfraUpstream>>;
  let first: InProcessGateway;
  let second: InProcessGateway;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-infra-revoke-"));
    const { proxy: started, direct, proxied } = await proxiedPostgres();
    proxy = started;
    upstream = await startInfraUpstream();
    const env = { TOLLGATE_ADMIN_TOKEN: adminToken, ALICE_TOKEN: aliceToken };
    const config = (storageUrl: string) =>
      infraConfig({
        upstreamUrl: upstream.url,
        storageUrl: withSchema(storageUrl, schema),
        storage: { connectTimeout: "1s", queryTimeout: "1s" },
        redis: { url: "redis://127.0.0.1:6379", keyPrefix: redis.keyPrefix },
      });
    first = await startInProcess(dir, config(direct.toString()), env, "first.jsonc");
    second = await startInProcess(dir, config(proxied.toString()), env, "second.jsonc");
  }, 60_000);

  afterAll(async () => {
    proxy?.setMode("refuse");
    proxy?.resetAll();
    await Promise.all([first?.close(), second?.close()]);
    await proxy?.close();
    await upstream?.close();
    await redis.cleanup();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("both replicas listen on the change channel", async () => {
    await within(5_000, async () => {
      const [, listeners] = (await redis.client.pubsub("NUMSUB", changeChannel(redis.keyPrefix))) as [
        string,
        number,
      ];
      return Number(listeners) === 2;
    });
  });

  it("a replica whose store is unreachable refuses a token revoked on the other within two seconds", async () => {
    const created = await fetch(`${first.gateway.url}/admin/api/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bob" }),
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    await within(5_000, async () => (await chat(second.gateway.url, token)).status === 200);

    // The second replica loses its store: its revision poll fails from here on.
    proxy.setMode("refuse");
    proxy.resetAll();

    const revoked = await fetch(`${first.gateway.url}/admin/api/tokens/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(revoked.status).toBeLessThan(300);
    await within(2_000, async () => (await chat(second.gateway.url, token)).status === 401);
    // Refused from memory, not by a store lookup that fails (503).
    expect((await chat(second.gateway.url, token)).status).toBe(401);
    // Others keep working on the replica without a store.
    expect((await chat(second.gateway.url, aliceToken)).status).toBe(200);

    // Once the store is back, the revocation stays (now from the store).
    proxy.setMode("pass");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await chat(second.gateway.url, token)).status).toBe(401);
    expect((await chat(first.gateway.url, token)).status).toBe(401);
  }, 60_000);
});
