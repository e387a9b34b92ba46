import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, within } from "../auth/redis.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import {
  adminToken,
  chat,
  concurrencyLimit,
  concurrentToken,
  config,
  countedToken,
  mockUpstream,
} from "./replicas-harness.js";
import { type ServeProcess, startServeProcess } from "./serve-process.js";

/**
 * Issue 4's "done means": two `tollgate serve` processes sharing Redis and Postgres enforce one
 * set of limits exactly, slots of a killed process come back after the lease, and a token
 * revoked on one replica is refused by the other within a second.
 */

describe("two replicas sharing Redis and Postgres", () => {
  const upstream = mockUpstream();
  const redis = testRedis();
  const schema = randomSchemaName();
  let dir: string;
  let first: ServeProcess;
  let second: ServeProcess;

  beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.server.listen(0, "127.0.0.1", resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/v1`;
    dir = await mkdtemp(join(tmpdir(), "tollgate-replicas-"));
    const file = join(dir, "tollgate.jsonc");
    await writeFile(file, config(upstreamUrl, withSchema(await postgresUrl(), schema), redis.keyPrefix));
    const env = {
      TOLLGATE_ADMIN_TOKEN: adminToken,
      COUNTED_TOKEN: countedToken,
      CONCURRENT_TOKEN: concurrentToken,
    };
    // Started one after the other: the first applies the migrations.
    first = await startServeProcess({ cwd: dir, env, args: ["--config", file] });
    second = await startServeProcess({ cwd: dir, env, args: ["--config", file] });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
    await redis.cleanup();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  });

  it("admits exactly N = 100 of 400 concurrent requests across both", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 400 }, (_, index) =>
        chat(index % 2 === 0 ? first.url : second.url, countedToken, "fast"),
      ),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses.filter((status) => status === 429)).toHaveLength(300);
  });

  it("never lets more than C requests of one actor run at once across both", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        chat(index % 2 === 0 ? first.url : second.url, concurrentToken, "slow"),
      ),
    );
    expect(upstream.maxInFlight.get("slow")).toBeLessThanOrEqual(concurrencyLimit);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(concurrencyLimit);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
  });

  it("gives a killed replica's slots back after the lease", async () => {
    const killed = await startServeProcess({
      cwd: dir,
      env: {
        TOLLGATE_ADMIN_TOKEN: adminToken,
        COUNTED_TOKEN: countedToken,
        CONCURRENT_TOKEN: concurrentToken,
      },
      args: ["--config", join(dir, "tollgate.jsonc")],
    });
    const held = Array.from({ length: concurrencyLimit }, () =>
      chat(killed.url, concurrentToken, "hold").catch(() => 0),
    );
    await within(5_000, () => (upstream.inFlight.get("hold") ?? 0) === concurrencyLimit);
    expect(await chat(second.url, concurrentToken, "fast")).toBe(429);
    const killedAt = Date.now();
    await killed.stop("SIGKILL");
    await Promise.all(held);
    const waited = await within(
      10_000,
      async () => (await chat(second.url, concurrentToken, "fast")) === 200,
    );
    // The lease is 2 s: the slots come back after it, not before it and not much later.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1_000);
    expect(waited).toBeLessThan(6_000);
  });

  it("refuses a token revoked on one replica at the other within a second", async () => {
    const created = await fetch(`${first.url}/admin/api/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "short-lived" }),
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    expect(await within(2_000, async () => (await chat(second.url, token, "fast")) === 200)).toBeLessThan(
      2_000,
    );
    const revoked = await fetch(`${first.url}/admin/api/tokens/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(revoked.status).toBeLessThan(300);
    const refusedAfter = await within(3_000, async () => (await chat(second.url, token, "fast")) === 401);
    expect(refusedAfter).toBeLessThan(1_000);
  });
});
