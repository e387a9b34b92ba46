import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, within } from "../auth/redis.js";
import { type RedisTopology, startRedisCluster, startRedisSentinel } from "../support/redis-topologies.js";
import {
  adminToken,
  admittedOf400,
  chat,
  concurrencyLimit,
  concurrentToken,
  countedToken,
  type ReplicaPair,
  startReplicaPair,
} from "./replicas-harness.js";
import { startServeProcess } from "./serve-process.js";

/**
 * Issue 4's "done means", on every Redis topology `redis.url` may name (issue 18: one server, a Redis Cluster, a
 * Sentinel-managed master): two `tollgate serve` processes sharing Redis and Postgres enforce one set of limits
 * exactly (the admission script's keys share their subject's hash slot), and a token revoked on one replica is
 * refused by the other within a second, and slots of a killed process come back after the lease.
 */

const sharedRedis = testRedis();
const topologies: [string, () => Promise<RedisTopology>][] = [
  ["one Redis", async () => ({ url: "redis://127.0.0.1:6379", stop: () => sharedRedis.cleanup() })],
  ["a three-node Redis Cluster", () => startRedisCluster(3)],
  ["a master behind a Sentinel", () => startRedisSentinel()],
];

describe.each(topologies)("two replicas sharing Postgres and %s", (_name, start) => {
  let topology: RedisTopology;
  let pair: ReplicaPair;

  beforeAll(async () => {
    topology = await start();
    pair = await startReplicaPair(sharedRedis.keyPrefix, topology.url);
  }, 60_000);

  afterAll(async () => {
    await pair?.stop();
    await topology?.stop();
  });

  it("admits exactly N = 100 of 400 concurrent requests across both", async () => {
    expect(await admittedOf400(pair)).toEqual({ ok: 100, refused: 300 });
  });

  it("never lets more than C requests of one actor run at once across both, and gives every slot back", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        chat(index % 2 === 0 ? pair.first.url : pair.second.url, concurrentToken, "slow"),
      ),
    );
    expect(pair.upstream.maxInFlight.get("slow")).toBeLessThanOrEqual(concurrencyLimit);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(concurrencyLimit);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    // Slots are given back just after each answer is sent: soon C requests at once are all admitted again.
    const freed = await within(2_000, async () => {
      const again = await Promise.all(
        Array.from({ length: concurrencyLimit }, () => chat(pair.second.url, concurrentToken, "fast")),
      );
      return again.every((status) => status === 200);
    });
    expect(freed).toBeLessThan(2_000);
  });

  it("refuses a token revoked on one replica at the other within a second", async () => {
    const created = await fetch(`${pair.first.url}/admin/api/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "short-lived" }),
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    expect(
      await within(2_000, async () => (await chat(pair.second.url, token, "fast")) === 200),
    ).toBeLessThan(2_000);
    const revoked = await fetch(`${pair.first.url}/admin/api/tokens/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(revoked.status).toBeLessThan(300);
    const refusedAfter = await within(
      3_000,
      async () => (await chat(pair.second.url, token, "fast")) === 401,
    );
    expect(refusedAfter).toBeLessThan(1_000);
  });

  it("gives a killed replica's slots back after the lease", async () => {
    const killed = await startServeProcess({
      cwd: pair.dir,
      env: {
        TOLLGATE_ADMIN_TOKEN: adminToken,
        COUNTED_TOKEN: countedToken,
        CONCURRENT_TOKEN: concurrentToken,
      },
      args: ["--config", join(pair.dir, "tollgate.jsonc")],
    });
    const held = Array.from({ length: concurrencyLimit }, () =>
      chat(killed.url, concurrentToken, "hold").catch(() => 0),
    );
    await within(5_000, () => (pair.upstream.inFlight.get("hold") ?? 0) === concurrencyLimit);
    expect(await chat(pair.second.url, concurrentToken, "fast")).toBe(429);
    const killedAt = Date.now();
    await killed.stop("SIGKILL");
    await Promise.all(held);
    const waited = await within(
      10_000,
      async () => (await chat(pair.second.url, concurrentToken, "fast")) === 200,
    );
    // The lease is 2 s: the slots come back after it, not before it and not much later.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1_000);
    expect(waited).toBeLessThan(6_000);
  });
});
