import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeChannel } from "../../src/auth/change-bus.js";
import { within } from "../auth/redis.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { OwnRedis } from "../support/own-redis.js";
import { freePort } from "../support/ports.js";
import {
  chat,
  envReference,
  type InProcessGateway,
  infraConfig,
  randomToken,
  sleep,
  startInfraUpstream,
  startInProcess,
} from "./infra-harness.js";

/**
 * Redis stopped and restarted under traffic (issue 15 "Infrastructure faults"): requests keep flowing as
 * `limits.failMode` says (open here: admitted uncounted), limits are exact again after the restart, no slot
 * stays held, the change subscriber reconnects, and the outage is logged once, not on every reconnect.
 */
describe("Redis stopped and restarted under traffic", () => {
  const aliceToken = randomToken("alice");
  const bobToken = randomToken("bob");
  const keyPrefix = "tg_infra_redis:";
  const schema = randomSchemaName();
  let dir: string;
  let redis: OwnRedis;
  let probe: Redis;
  let upstream: Awaited<ReturnType<typeof startInfraUpstream>>;
  let gateway: InProcessGateway;

  const listeners = async () => {
    const [, count] = (await probe.pubsub("NUMSUB", changeChannel(keyPrefix))) as [string, number];
    return Number(count);
  };
  const logLines = (pattern: RegExp) => gateway.logs.filter((line) => pattern.test(line));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-infra-redis-"));
    redis = new OwnRedis(await freePort(), { persist: true });
    await redis.start();
    probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    probe.on("error", () => {});
    upstream = await startInfraUpstream();
    const config = infraConfig({
      upstreamUrl: upstream.url,
      storageUrl: withSchema(await postgresUrl(), schema),
      redis: { url: redis.url, keyPrefix },
      // A command in flight as Redis dies may or may not have run; such a slot is left to its lease.
      extra: { limits: { concurrencyLease: "3s" } },
      actors: [
        {
          id: "alice",
          tokens: [envReference("ALICE_TOKEN")],
          limits: { chat: { requests: 10_000, interval: "1h", concurrent: 4 } },
        },
        { id: "bob", tokens: [envReference("BOB_TOKEN")], limits: { chat: { requests: 5, interval: "1h" } } },
      ],
    });
    gateway = await startInProcess(dir, config, {
      TOLLGATE_ADMIN_TOKEN: randomToken("admin"),
      ALICE_TOKEN: aliceToken,
      BOB_TOKEN: bobToken,
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    probe?.disconnect();
    await redis?.remove();
    await upstream?.close();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("keeps serving (fail open), counts exactly again after the restart, holds no slot, resubscribes", async () => {
    const base = gateway.gateway.url;
    await within(5_000, async () => (await listeners()) === 1);
    expect((await chat(base, bobToken)).status).toBe(200);
    expect((await chat(base, bobToken)).status).toBe(200);

    // Traffic runs across the outage: a stream and a steady trickle of requests.
    let running = true;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (running) {
        statuses.push((await chat(base, aliceToken)).status);
        await sleep(50);
      }
    })();
    const longStream = chat(base, aliceToken, { model: "slow", stream: true });

    await sleep(300);
    await redis.stop();
    const outageStarted = Date.now();
    // Redis away for a few seconds: the clients retry about once a second meanwhile.
    const during = [await chat(base, bobToken), await chat(base, bobToken)];
    expect(during.map((answer) => answer.status)).toEqual([200, 200]);
    await sleep(Math.max(0, 3_500 - (Date.now() - outageStarted)));
    await redis.start();

    await within(10_000, async () => (await listeners()) === 1);
    running = false;
    await traffic;
    expect((await longStream).status).toBe(200);
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((status) => status === 200)).toBe(true);

    // Counted again (the append-only file kept the 2 before the outage; the 2 during it were not counted).
    await within(10_000, async () => {
      const response = await fetch(`${base}/v1/limits`, { headers: { authorization: `Bearer ${bobToken}` } });
      return response.ok;
    });
    const after = [];
    for (let index = 0; index < 4; index++) after.push((await chat(base, bobToken)).status);
    expect(after).toEqual([200, 200, 200, 429]);

    // Every slot came back: those of requests that ended during the outage when Redis returned, one whose
    // command was cut mid-flight within its lease; none held in Redis, none in flight in the gateway.
    await within(8_000, async () => (await probe.zcard(`${keyPrefix}limits:{alice}:chat:c`)) === 0);
    const limits = await fetch(`${base}/v1/limits`, { headers: { authorization: `Bearer ${aliceToken}` } });
    expect(((await limits.json()) as { chat: { concurrent: { inUse: number } } }).chat.concurrent.inUse).toBe(
      0,
    );

    // One warning for the subscription's outage (README: once a minute), not one per reconnect attempt.
    expect(logLines(/change subscription unavailable/)).toHaveLength(1);
    expect(logLines(/change subscription restored/)).toHaveLength(1);
    expect(logLines(/Redis change subscription error/)).toHaveLength(0);
  }, 90_000);
});
