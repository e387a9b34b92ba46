import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { dropSchemas, randomSchemaName, withSchema } from "../store/postgres.js";
import {
  chat,
  createStoreToken,
  type InProcessGateway,
  infraConfig,
  proxiedPostgres,
  randomToken,
  startInfraUpstream,
  startInProcess,
} from "./infra-harness.js";
import type { TcpFaultProxy } from "./tcp-fault-proxy.js";

/**
 * Issue 15 "Hangs": with the store silently dropping packets, a request whose token is not cached waited for
 * ever (pooled connections had no client-side deadline). It is a 503 in the route's dialect within
 * `storage.queryTimeout` / `storage.connectTimeout`, while cached tokens keep working.
 */
describe("a store that drops packets (blackholed Postgres)", () => {
  const adminToken = randomToken("admin");
  const aliceToken = randomToken("alice");
  const schema = randomSchemaName();
  let dir: string;
  let proxy: TcpFaultProxy;
  let upstream: Awaited<ReturnType<typeof startInfraUpstream>>;
  let gateway: InProcessGateway;
  let storeToken: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-infra-hang-"));
    let proxied: URL;
    ({ proxy, proxied } = await proxiedPostgres());
    upstream = await startInfraUpstream();
    const config = infraConfig({
      upstreamUrl: upstream.url,
      storageUrl: withSchema(proxied.toString(), schema),
      storage: { connectTimeout: "1s", queryTimeout: "1s" },
    });
    gateway = await startInProcess(dir, config, {
      TOLLGATE_ADMIN_TOKEN: adminToken,
      ALICE_TOKEN: aliceToken,
    });
    storeToken = await createStoreToken(gateway.gateway.url, adminToken, "bob");
  }, 60_000);

  afterAll(async () => {
    proxy?.setMode("refuse");
    proxy?.resetAll();
    await gateway?.close();
    await proxy?.close();
    await upstream?.close();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("answers an uncached token with a 503 in the route's dialect within seconds; cached tokens keep working", async () => {
    const base = gateway.gateway.url;
    // Used once, so cached (it already is since the directory loads store tokens, but be explicit).
    expect((await chat(base, storeToken)).status).toBe(200);

    proxy.setMode("blackhole");
    const unknown = randomToken("unknown");
    const [openai, anthropic] = await Promise.all([
      chat(base, unknown, { timeoutMs: 20_000 }),
      fetch(`${base}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": unknown,
          "content-type": "application/json",
          "anthropic-version": "2023-06-01",
        },
        body: JSON.stringify({
          model: "local::v1::fast",
          max_tokens: 10,
          messages: [{ role: "user", content: "hi" }],
        }),
        signal: AbortSignal.timeout(20_000),
      }),
    ]);
    expect(openai.status).toBe(503);
    expect(JSON.parse(openai.body)).toMatchObject({ error: { message: expect.stringMatching(/token/) } });
    expect(anthropic.status).toBe(503);
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: expect.any(String) } });

    // More misses than pooled connections: the wait for a pool slot is bounded too.
    const misses = await Promise.all(
      Array.from({ length: 8 }, () => chat(base, randomToken("miss"), { timeoutMs: 30_000 })),
    );
    expect(misses.map((miss) => miss.status)).toEqual(Array(8).fill(503));

    // Cached tokens (config and store) never asked the store.
    expect((await chat(base, aliceToken)).status).toBe(200);
    expect((await chat(base, storeToken)).status).toBe(200);

    proxy.setMode("pass");
    proxy.resetAll();
  }, 90_000);
});

/**
 * Issue 15 "SIGHUP while Postgres is unreachable kills the gateway": a connection lost while checked out (a
 * transaction between two queries) emitted an 'error' event nobody listened to, which ends the process.
 */
describe("a store connection lost inside a transaction", () => {
  const schema = randomSchemaName();
  let proxy: TcpFaultProxy;

  afterAll(async () => {
    await proxy?.close();
    await dropSchemas([schema]);
  });

  it("fails the transaction, not the process", async () => {
    let proxied: URL;
    ({ proxy, proxied } = await proxiedPostgres());
    const store = await openStore(withSchema(proxied.toString(), schema), { queryTimeoutMs: 2_000 });
    try {
      await store.migrate();
      const uncaught: unknown[] = [];
      const listener = (error: unknown) => uncaught.push(error);
      process.on("uncaughtException", listener);
      try {
        const transaction = store.transaction(async (tx) => {
          await tx.actors.list();
          proxy.setMode("refuse");
          proxy.resetAll();
          // The reset reaches the idle, checked-out connection before the next query.
          await new Promise((resolve) => setTimeout(resolve, 200));
          return tx.actors.list();
        });
        await expect(transaction).rejects.toThrow();
      } finally {
        process.off("uncaughtException", listener);
      }
      expect(uncaught).toEqual([]);
      proxy.setMode("pass");
      expect(await store.actors.list()).toEqual(expect.any(Array));
    } finally {
      await store.close();
    }
  }, 30_000);
});
