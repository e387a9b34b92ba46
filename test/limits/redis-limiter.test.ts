import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { expectAdmitted, limiterConformance, ManualClock } from "./conformance.js";
import { REDIS_URL, RedisLimiters } from "./redis-helpers.js";

const conformance = new RedisLimiters();

limiterConformance("redis", () => ({
  create: (options) => conformance.open(options),
  cleanup: () => conformance.cleanup(),
}));

describe("redis limiter storage", () => {
  const limiters = new RedisLimiters();
  afterAll(() => limiters.cleanup());

  it("gives every key it writes an expiry, under the configured prefix and the actor's hash tag", async () => {
    const clock = new ManualClock();
    const limiter = await limiters.open({ now: clock.now });
    const admission = expectAdmitted(
      await limiter.admit({
        subject: "team-a",
        feature: "chat",
        policy: {
          requests: { limit: 10, intervalMs: 60_000 },
          tokens: { limit: 1000, intervalMs: 60_000 },
          concurrent: 2,
          budget: { usd: 5, period: "month", timeZone: "America/New_York" },
        },
        estimate: { tokens: 10, costUsd: 0.01 },
      }),
    );
    const client = new Redis(REDIS_URL);
    try {
      const keys = (await client.keys(`${limiters.prefix}*`)).sort();
      const window = Math.floor(clock.time / 60_000);
      expect(keys).toEqual([
        `${limiters.prefix}limits:{team-a}:b:month:America/New_York:2030-01`,
        `${limiters.prefix}limits:{team-a}:chat:c`,
        `${limiters.prefix}limits:{team-a}:chat:r:60000:${window}`,
        `${limiters.prefix}limits:{team-a}:chat:t:60000:${window}`,
      ]);
      for (const key of keys) expect(await client.pttl(key)).toBeGreaterThan(0);
      await limiter.settle(admission.ticket, { tokens: 20, costUsd: 0.02 });
      for (const key of await client.keys(`${limiters.prefix}*`)) {
        expect(await client.pttl(key)).toBeGreaterThan(0);
      }
    } finally {
      client.disconnect();
    }
  });
});
