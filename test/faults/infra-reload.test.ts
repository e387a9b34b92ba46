import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, within } from "../auth/redis.js";
import { type ServeProcess, startServeProcess } from "../e2e/serve-process.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { chat, envReference, infraConfig, randomToken, sleep, startInfraUpstream } from "./infra-harness.js";
import { TcpFaultProxy } from "./tcp-fault-proxy.js";

/**
 * Issue 15 "Reload and restart", against a real `tollgate serve` (SIGHUP): a reload while Postgres is
 * unreachable killed the gateway (a connection's 'error' event nobody listened to); now it fails with a logged
 * error and the running config keeps serving. `limits.failMode` and `limits.concurrencyLease` were logged as
 * reloaded but ignored; now they apply at once.
 */
describe("SIGHUP reloads", () => {
  const adminToken = randomToken("admin");
  const aliceToken = randomToken("alice");
  const carolToken = randomToken("carol");
  const schema = randomSchemaName();
  const redis = testRedis();
  let dir: string;
  let file: string;
  let postgres: TcpFaultProxy;
  let redisProxy: TcpFaultProxy;
  let upstream: Awaited<ReturnType<typeof startInfraUpstream>>;
  let serve: ServeProcess;
  let write: (options: { carol?: boolean; failMode: "open" | "closed"; lease: string }) => Promise<void>;

  const reloads = () => serve.stdout().split("configuration reloaded").length - 1;
  const failedReloads = () => serve.stdout().split("reload failed").length - 1;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-infra-reload-"));
    file = join(dir, "tollgate.jsonc");
    const base = new URL(await postgresUrl());
    postgres = new TcpFaultProxy(base);
    base.host = await postgres.start();
    redisProxy = new TcpFaultProxy({ hostname: "127.0.0.1", port: 6379 });
    const redisAddress = await redisProxy.start();
    upstream = await startInfraUpstream();
    write = async ({ carol = false, failMode, lease }) => {
      const alice = {
        id: "alice",
        tokens: [envReference("ALICE_TOKEN")],
        limits: { chat: { requests: 1000, interval: "1h", concurrent: 5 } },
      };
      const actors = carol ? [alice, { id: "carol", tokens: [envReference("CAROL_TOKEN")] }] : [alice];
      await writeFile(
        file,
        infraConfig({
          upstreamUrl: upstream.url,
          storageUrl: withSchema(base.toString(), schema),
          storage: { connectTimeout: "1s", queryTimeout: "1s" },
          redis: { url: `redis://${redisAddress}`, keyPrefix: redis.keyPrefix },
          actors,
          extra: { limits: { failMode, concurrencyLease: lease } },
        }),
      );
    };
    await write({ failMode: "open", lease: "30s" });
    serve = await startServeProcess({
      cwd: dir,
      env: { TOLLGATE_ADMIN_TOKEN: adminToken, ALICE_TOKEN: aliceToken, CAROL_TOKEN: carolToken },
      args: ["--config", file, "--log-format", "json"],
    });
  }, 60_000);

  afterAll(async () => {
    postgres?.setMode("pass");
    redisProxy?.setMode("pass");
    await serve?.stop();
    await Promise.all([postgres?.close(), redisProxy?.close(), upstream?.close()]);
    await redis.cleanup();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("a reload while Postgres is unreachable fails with a logged error; the running config keeps serving", async () => {
    expect((await chat(serve.url, aliceToken)).status).toBe(200);
    postgres.setMode("refuse");
    postgres.resetAll();
    await write({ carol: true, failMode: "open", lease: "30s" });
    serve.child.kill("SIGHUP");
    await within(15_000, () => failedReloads() === 1);
    await sleep(500);
    expect(serve.child.exitCode).toBeNull();
    expect(serve.child.signalCode).toBeNull();
    expect((await chat(serve.url, aliceToken)).status).toBe(200);
    // The new config did not half-apply: carol's token is unknown, which only the store could settle (503).
    expect((await chat(serve.url, carolToken)).status).toBe(503);

    postgres.setMode("pass");
    serve.child.kill("SIGHUP");
    await within(15_000, async () => (await chat(serve.url, carolToken)).status === 200);
    // Its log line may reach us after the answer: the next test counts reloads from here.
    await within(15_000, () => reloads() === 1);
  }, 60_000);

  it("applies limits.failMode and limits.concurrencyLease on reload", async () => {
    const before = reloads();
    await write({ carol: true, failMode: "closed", lease: "3s" });
    serve.child.kill("SIGHUP");
    await within(15_000, () => reloads() > before);
    expect(serve.stdout()).not.toMatch(/limits.*takes effect on restart/);

    // A slot taken now lives 3 s, not 30 s.
    const stream = chat(serve.url, aliceToken, { model: "slow", stream: true });
    const slots = `${redis.keyPrefix}limits:{alice}:chat:c`;
    let deadlines: string[] = [];
    await within(5_000, async () => {
      deadlines = await redis.client.zrange(slots, "0", "-1", "WITHSCORES");
      return deadlines.length === 2;
    });
    expect(Number(deadlines[1]) - Date.now()).toBeLessThanOrEqual(3_000);
    expect((await stream).status).toBe(200);

    // Redis away: fail closed now (503 with Retry-After), where the start's config failed open.
    redisProxy.setMode("refuse");
    redisProxy.resetAll();
    const refused = await fetch(`${serve.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${aliceToken}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "local::v1::fast", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    redisProxy.setMode("pass");
  }, 60_000);
});
