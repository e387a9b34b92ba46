import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rateLimitHeaders } from "../../src/limits/headers.js";
import type { Admission } from "../../src/limits/limiter.js";
import { LimiterUnavailableError } from "../../src/limits/limiter.js";
import type { FailMode } from "../../src/limits/outage.js";
import type { FeaturePolicy } from "../../src/limits/policy.js";
import { RedisLimiter } from "../../src/limits/redis-limiter.js";
import { OwnRedis } from "../support/own-redis.js";
import { freePort } from "../support/ports.js";
import { expectAdmitted, expectRefused, ManualClock } from "./conformance.js";
import { testPrefix } from "./redis-helpers.js";

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function harness(redis: OwnRedis, failMode?: FailMode) {
  const clock = new ManualClock();
  const logger = { warn: vi.fn(), info: vi.fn() };
  const metrics = { degraded: vi.fn(), recovered: vi.fn() };
  const limiter = new RedisLimiter({
    url: redis.url,
    keyPrefix: testPrefix(),
    ...(failMode && { failMode }),
    now: clock.now,
    logger,
    metrics,
    commandTimeoutMs: 500,
  });
  return { clock, logger, metrics, limiter };
}

/** Admits until Redis answers again (the client reconnects by itself). */
async function untilCounted(admit: () => Promise<Admission>): Promise<Admission> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const admission = await admit();
    const counted = admission.admitted ? !admission.ticket.degraded : admission.code === "rate_limited";
    if (counted) return admission;
    if (Date.now() > deadline) throw new Error("the limiter did not recover");
    await sleep(50);
  }
}

const policy: FeaturePolicy = { requests: { limit: 1, intervalMs: 60_000 }, concurrent: 5 };

describe("Redis outage", () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
  });
  afterAll(() => redis.remove());

  it("fails open by default: admits uncounted, logs at most once a minute, recovers by itself", async () => {
    const { clock, logger, metrics, limiter } = harness(redis);
    try {
      expect(await limiter.ready()).toBe(true);
      const held = expectAdmitted(await limiter.admit({ subject: "open", feature: "chat", policy }));
      expectRefused(await limiter.admit({ subject: "open", feature: "chat", policy }));

      await redis.stop();
      const during: Admission[] = [];
      for (let index = 0; index < 20; index++) {
        during.push(await limiter.admit({ subject: "open", feature: "chat", policy }));
      }
      for (const admission of during) expect(expectAdmitted(admission).ticket.degraded).toBe(true);
      const state = during[0]!.state;
      expect(state.degraded).toBe(true);
      expect(rateLimitHeaders(state)).toMatchObject({ "x-ratelimit-limit-requests": "1" });
      expect(limiter.degraded).toBe(true);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn.mock.calls[0]![1]).toContain("fail open");
      expect(metrics.degraded).toHaveBeenCalledTimes(20);
      expect(metrics.degraded).toHaveBeenCalledWith("admit", "open");

      // Ending requests during the outage neither throws nor logs again within the minute.
      await limiter.settle(held.ticket, { tokens: 10, costUsd: 0.01 });
      for (const admission of during) await limiter.release(expectAdmitted(admission).ticket);
      await expect(limiter.read({ subject: "open", feature: "chat", policy })).rejects.toBeInstanceOf(
        LimiterUnavailableError,
      );
      clock.advance(59_999);
      await limiter.admit({ subject: "open", feature: "chat", policy });
      expect(logger.warn).toHaveBeenCalledTimes(1);
      clock.advance(1);
      await limiter.admit({ subject: "open", feature: "chat", policy });
      expect(logger.warn).toHaveBeenCalledTimes(2);
      expect(logger.warn.mock.calls[1]![0]).toMatchObject({ suppressed: 22 });

      // A fresh server: nothing stored, no scripts loaded (EVALSHA falls back to EVAL).
      await redis.start();
      expectAdmitted(await untilCounted(() => limiter.admit({ subject: "open", feature: "chat", policy })));
      expect(limiter.degraded).toBe(false);
      expect(metrics.recovered).toHaveBeenCalledTimes(1);
      expect(logger.info).toHaveBeenCalledTimes(1);
      const refusal = expectRefused(await limiter.admit({ subject: "open", feature: "chat", policy }));
      expect(refusal.limit).toBe("requests");
      expect(logger.warn).toHaveBeenCalledTimes(2);
    } finally {
      await limiter.close();
    }
  });

  it("fails closed when configured: refuses with 503 until Redis is back", async () => {
    const { logger, metrics, limiter } = harness(redis, "closed");
    try {
      expect(await limiter.ready()).toBe(true);
      expectAdmitted(await limiter.admit({ subject: "closed", feature: "chat", policy }));

      await redis.stop();
      for (let index = 0; index < 5; index++) {
        const admission = await limiter.admit({ subject: "closed", feature: "chat", policy });
        if (admission.admitted || admission.code !== "gateway_unavailable") {
          throw new Error("expected a 503 refusal while Redis is down");
        }
        expect(admission).toMatchObject({ status: 503, retryAfterSeconds: 1 });
        expect(admission.message).toContain("Redis");
      }
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn.mock.calls[0]![1]).toContain("fail closed");
      expect(metrics.degraded).toHaveBeenCalledWith("admit", "closed");

      await redis.start();
      expectAdmitted(
        await untilCounted(() => limiter.admit({ subject: "closed-after", feature: "chat", policy })),
      );
      expectRefused(await limiter.admit({ subject: "closed-after", feature: "chat", policy }));
      expect(metrics.recovered).toHaveBeenCalledTimes(1);
    } finally {
      await limiter.close();
    }
  });

  it("starts with Redis down and begins counting once it comes up", async () => {
    await redis.stop();
    const { limiter, logger } = harness(redis);
    try {
      expect(await limiter.ready(300)).toBe(false);
      expect(
        expectAdmitted(await limiter.admit({ subject: "boot", feature: "chat", policy })).ticket.degraded,
      ).toBe(true);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      await redis.start();
      expectAdmitted(await untilCounted(() => limiter.admit({ subject: "boot", feature: "chat", policy })));
      expectRefused(await limiter.admit({ subject: "boot", feature: "chat", policy }));
    } finally {
      await limiter.close();
    }
  });
});
