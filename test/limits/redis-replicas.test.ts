import { afterAll, describe, expect, it } from "vitest";
import type { Admission } from "../../src/limits/limiter.js";
import type { FeaturePolicy } from "../../src/limits/policy.js";
import type { RedisLimiter } from "../../src/limits/redis-limiter.js";
import { expectAdmitted, expectRefused } from "./conformance.js";
import { RedisLimiters } from "./redis-helpers.js";

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Two limiters with their own connections play two replicas behind a load balancer. */
describe("two replicas sharing one Redis", () => {
  const limiters = new RedisLimiters();
  afterAll(() => limiters.cleanup());

  async function replicas(
    options: Parameters<RedisLimiters["open"]>[0] = {},
  ): Promise<[RedisLimiter, RedisLimiter]> {
    return [await limiters.open(options), await limiters.open(options)];
  }

  /**
   * `count` admissions in flight together, alternating between the replicas. They are issued over
   * several event-loop turns, as real traffic arrives: with ioredis auto-pipelining each turn's
   * commands leave in one write, so the two replicas' writes interleave at Redis.
   */
  async function burst(
    pair: [RedisLimiter, RedisLimiter],
    count: number,
    admit: (limiter: RedisLimiter) => Promise<Admission>,
  ) {
    const pending: Promise<Admission>[] = [];
    for (let index = 0; index < count; index++) {
      pending.push(admit(pair[index % 2]!));
      if (index % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
    return Promise.all(pending);
  }

  it("admit exactly N requests out of 400 concurrent admissions (N = 100)", async () => {
    const pair = await replicas();
    const policy: FeaturePolicy = { requests: { limit: 100, intervalMs: 3_600_000 } };
    const admissions = await burst(pair, 400, (limiter) =>
      limiter.admit({ subject: "exact-requests", feature: "chat", policy }),
    );
    expect(admissions.filter((admission) => admission.admitted)).toHaveLength(100);
    for (const index of [0, 1]) {
      expect(
        admissions.filter((admission, position) => admission.admitted && position % 2 === index).length,
      ).toBeGreaterThan(0);
    }
    const refusals = admissions.filter((admission) => !admission.admitted).map(expectRefused);
    expect(new Set(refusals.map((refusal) => refusal.limit))).toEqual(new Set(["requests"]));
    const snapshot = await pair[1].read({ subject: "exact-requests", feature: "chat", policy });
    expect(snapshot.requests).toMatchObject({ usage: 100, remaining: 0 });
  });

  it("reserve exactly the token limit out of 400 concurrent admissions", async () => {
    const pair = await replicas();
    const policy: FeaturePolicy = { tokens: { limit: 10_000, intervalMs: 3_600_000 } };
    const admissions = await burst(pair, 400, (limiter) =>
      limiter.admit({
        subject: "exact-tokens",
        feature: "chat",
        policy,
        estimate: { tokens: 100, costUsd: 0 },
      }),
    );
    expect(admissions.filter((admission) => admission.admitted)).toHaveLength(100);
  });

  it("reserve exactly the budget out of 400 concurrent admissions", async () => {
    const pair = await replicas();
    const policy: FeaturePolicy = { budget: { usd: 1, period: "month", timeZone: "UTC" } };
    const admissions = await burst(pair, 400, (limiter) =>
      limiter.admit({
        subject: "exact-budget",
        feature: "chat",
        policy,
        estimate: { tokens: 0, costUsd: 0.01 },
      }),
    );
    expect(admissions.filter((admission) => admission.admitted)).toHaveLength(100);
  });

  it("never hold more than the concurrency limit across both", async () => {
    const pair = await replicas();
    const limit = 10;
    const policy: FeaturePolicy = { concurrent: limit };
    let inFlight = 0;
    let peak = 0;
    let served = 0;
    let refused = 0;
    const worker = async (limiter: RedisLimiter) => {
      for (let round = 0; round < 12; round++) {
        const admission = await limiter.admit({ subject: "concurrent", feature: "chat", policy });
        if (!admission.admitted) {
          refused++;
          await sleep(2);
          continue;
        }
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep(3 + Math.floor(Math.random() * 10));
        // Counted down before the slot is freed, so the count never understates the slots held.
        inFlight--;
        served++;
        await limiter.settle(admission.ticket, { tokens: 0, costUsd: 0 });
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, index) => worker(pair[index % 2]!)));
    expect(peak).toBeLessThanOrEqual(limit);
    expect(peak).toBeGreaterThan(1);
    expect(refused).toBeGreaterThan(0);
    expect(served).toBeGreaterThan(limit);
    const snapshot = await pair[0].read({ subject: "concurrent", feature: "chat", policy });
    expect(snapshot.concurrent).toEqual({ limit, inUse: 0 });
  });

  it("get back the slots of a crashed replica once their lease ends", async () => {
    const [crashing, survivor] = await replicas({ leaseMs: 600 });
    const policy: FeaturePolicy = { concurrent: 3 };
    for (let index = 0; index < 3; index++) {
      expectAdmitted(await crashing.admit({ subject: "crash", feature: "chat", policy }));
    }
    // A crash: the requests are never settled and nobody renews their leases.
    await crashing.close();
    expectRefused(await survivor.admit({ subject: "crash", feature: "chat", policy }));
    await sleep(700);
    for (let index = 0; index < 3; index++) {
      expectAdmitted(await survivor.admit({ subject: "crash", feature: "chat", policy }));
    }
    expectRefused(await survivor.admit({ subject: "crash", feature: "chat", policy }));
  });

  it("keep the slot of a long request alive for many leases", async () => {
    const [holder, other] = await replicas({ leaseMs: 900 });
    const policy: FeaturePolicy = { concurrent: 1 };
    const long = expectAdmitted(await holder.admit({ subject: "long", feature: "chat", policy }));
    expect(holder.slotsHeld).toBe(1);
    for (let check = 0; check < 4; check++) {
      await sleep(500); // four checks span more than two leases
      expectRefused(await other.admit({ subject: "long", feature: "chat", policy }));
    }
    await holder.settle(long.ticket, { tokens: 0, costUsd: 0 });
    expect(holder.slotsHeld).toBe(0);
    expectAdmitted(await other.admit({ subject: "long", feature: "chat", policy }));
  });
});
