import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { within } from "../auth/redis.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { type RedisTopology, startRedisCluster, startRedisSentinel } from "../support/redis-topologies.js";
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
 * Issue 18: `redis.url` may name a Redis Cluster or a Sentinel-managed master; two replicas admit exactly as on
 * one Redis (the admission script's keys share their subject's hash slot), and a revocation crosses over.
 */

const topologies: [string, () => Promise<RedisTopology>][] = [
  ["a three-node Redis Cluster", () => startRedisCluster(3)],
  ["a master behind a Sentinel", () => startRedisSentinel()],
];

describe.each(topologies)("two replicas on %s", (_name, start) => {
  const upstream = mockUpstream();
  const schema = randomSchemaName();
  let topology: RedisTopology;
  let dir: string;
  let first: ServeProcess;
  let second: ServeProcess;

  beforeAll(async () => {
    topology = await start();
    await new Promise<void>((resolve) => upstream.server.listen(0, "127.0.0.1", resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/v1`;
    dir = await mkdtemp(join(tmpdir(), "tollgate-redis-topology-"));
    const file = join(dir, "tollgate.jsonc");
    const storage = withSchema(await postgresUrl(), schema);
    await writeFile(file, config(upstreamUrl, storage, "tollgate:", topology.url));
    const env = {
      TOLLGATE_ADMIN_TOKEN: adminToken,
      COUNTED_TOKEN: countedToken,
      CONCURRENT_TOKEN: concurrentToken,
    };
    first = await startServeProcess({ cwd: dir, env, args: ["--config", file] });
    second = await startServeProcess({ cwd: dir, env, args: ["--config", file] });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
    await topology?.stop();
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

  it("never lets more than C requests of one actor run at once across both, and frees every slot", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        chat(index % 2 === 0 ? first.url : second.url, concurrentToken, "slow"),
      ),
    );
    expect(upstream.maxInFlight.get("slow")).toBeLessThanOrEqual(concurrencyLimit);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(concurrencyLimit);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    // Every slot is given back (just after each answer is sent): C requests at once are all admitted again.
    const freed = await within(2_000, async () => {
      const again = await Promise.all(
        Array.from({ length: concurrencyLimit }, () => chat(second.url, concurrentToken, "fast")),
      );
      return again.every((status) => status === 200);
    });
    expect(freed).toBeLessThan(2_000);
  });

  it("a token revoked on one replica is refused by the other within a second (the change bus)", async () => {
    const admin = (base: string, method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = (await (
      await admin(first.url, "POST", "/admin/api/tokens", { name: "temp" })
    ).json()) as {
      id: string;
      token: string;
    };
    expect(await chat(second.url, created.token, "fast")).toBe(200);
    expect((await admin(first.url, "DELETE", `/admin/api/tokens/${created.id}`)).status).toBe(200);
    const refusedAfter = await within(
      1_000,
      async () => (await chat(second.url, created.token, "fast")) === 401,
    );
    expect(refusedAfter).toBeLessThan(1_000);
  });
});
