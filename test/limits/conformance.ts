import { afterAll, describe, expect, it } from "vitest";
import { rateLimitHeaders } from "../../src/limits/headers.js";
import type { Admission, Admitted, Limiter, Refused } from "../../src/limits/limiter.js";
import type { FeaturePolicy } from "../../src/limits/policy.js";

export interface LimiterFactoryOptions {
  now: () => number;
  leaseMs?: number;
  renewLeases?: boolean;
}

export interface LimiterHarness {
  create(options: LimiterFactoryOptions): Promise<Limiter>;
  /** Closes what `create` opened and removes stored state. */
  cleanup(): Promise<void>;
}

/** A clock tests move by hand; starts on a minute boundary. */
export class ManualClock {
  constructor(public time = Date.UTC(2030, 0, 15, 12, 0, 0)) {}
  readonly now = (): number => this.time;
  advance(milliseconds: number): void {
    this.time += milliseconds;
  }
}

const MINUTE = 60_000;
let subjects = 0;
/** Every test uses its own actor so the tests share no counters. */
const subject = (): string => `actor-${process.pid}-${++subjects}`;

export function expectAdmitted(admission: Admission): Admitted {
  if (!admission.admitted) throw new Error(`expected admission, got ${admission.code}: ${admission.message}`);
  return admission;
}

export function expectRefused(admission: Admission): Refused {
  if (admission.admitted) throw new Error("expected a refusal, got an admission");
  if (admission.code !== "rate_limited") throw new Error(`expected rate_limited, got ${admission.code}`);
  return admission;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * The behaviour every Limiter must have, registered for one implementation. Memory and Redis
 * run the same tests (STYLE.md: one conformance suite per interface).
 */
export function limiterConformance(name: string, makeHarness: () => LimiterHarness): void {
  describe(`${name} limiter conformance`, () => {
    const harness = makeHarness();
    afterAll(() => harness.cleanup());

    async function setup(options: Partial<LimiterFactoryOptions> = {}) {
      const clock = new ManualClock();
      const limiter = await harness.create({ now: clock.now, ...options });
      return { clock, limiter, actor: subject() };
    }

    it("admits everything when no limit applies, with no rate-limit headers", async () => {
      const { limiter, actor } = await setup();
      for (let index = 0; index < 5; index++) {
        const admission = expectAdmitted(
          await limiter.admit({ subject: actor, feature: "chat", policy: {} }),
        );
        expect(rateLimitHeaders(admission.state)).toEqual({});
        await limiter.settle(admission.ticket, { tokens: 10, costUsd: 1 });
      }
    });

    it("counts requests in a window and refuses the one over the limit, naming it", async () => {
      const { limiter, actor, clock } = await setup();
      clock.advance(15_000);
      const policy: FeaturePolicy = { requests: { limit: 3, intervalMs: MINUTE } };
      const remaining: number[] = [];
      for (let index = 0; index < 3; index++) {
        const admission = expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
        remaining.push(admission.state.requests!.remaining);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const refusal = expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      expect(refusal).toMatchObject({ status: 429, limit: "requests", value: 3, retryAfterSeconds: 45 });
      expect(refusal.resetAt).toBe(clock.time + 45_000);
      expect(refusal.message).toContain("3 chat requests per 1m");
      expect(refusal.message).toContain(new Date(refusal.resetAt).toISOString());
      expect(rateLimitHeaders(refusal.state)).toEqual({
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "45s",
      });
    });

    it("resets a window exactly at its boundary, aligned to multiples of the interval", async () => {
      const { limiter, actor, clock } = await setup();
      const policy: FeaturePolicy = { requests: { limit: 1, intervalMs: MINUTE } };
      clock.advance(30_000);
      expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      clock.advance(29_999);
      const refusal = expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      expect(refusal.resetAt % MINUTE).toBe(0);
      expect(refusal.resetAt).toBe(clock.time + 1);
      clock.advance(1);
      expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
    });

    it("keeps separate counters per actor and per feature", async () => {
      const { limiter, actor } = await setup();
      const other = subject();
      const policy: FeaturePolicy = { requests: { limit: 1, intervalMs: MINUTE } };
      expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      expectAdmitted(await limiter.admit({ subject: actor, feature: "codeCompletion", policy }));
      expectAdmitted(await limiter.admit({ subject: other, feature: "chat", policy }));
    });

    it("keeps counters apart for actor ids with braces and colons", async () => {
      const { limiter } = await setup();
      const policy: FeaturePolicy = { requests: { limit: 1, intervalMs: MINUTE } };
      const base = subject();
      expectAdmitted(await limiter.admit({ subject: `${base}}:chat`, feature: "chat", policy }));
      expectAdmitted(await limiter.admit({ subject: base, feature: "chat", policy }));
      expectAdmitted(await limiter.admit({ subject: `{${base}`, feature: "chat", policy }));
    });

    it("reserves estimated tokens and refuses when the estimate would pass the limit", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = { tokens: { limit: 1000, intervalMs: MINUTE } };
      const admit = (tokens: number) =>
        limiter.admit({ subject: actor, feature: "chat", policy, estimate: { tokens, costUsd: 0 } });
      expect(expectAdmitted(await admit(400)).state.tokens!.remaining).toBe(600);
      expectAdmitted(await admit(400));
      const refusal = expectRefused(await admit(400));
      expect(refusal).toMatchObject({ limit: "tokens", value: 1000 });
      expect(refusal.message).toContain("used 800");
      expect(refusal.state.tokens!.remaining).toBe(200);
      expectAdmitted(await admit(200));
      // A full window refuses even a request that claims to need nothing.
      expectRefused(await admit(0));
    });

    it("refuses an estimate larger than the whole token limit with a message saying so", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = { tokens: { limit: 1000, intervalMs: MINUTE } };
      const refusal = expectRefused(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy,
          estimate: { tokens: 5000, costUsd: 0 },
        }),
      );
      expect(refusal.limit).toBe("tokens");
      expect(refusal.message).toContain("more than the whole limit");
      expect(refusal.message).toContain("5000");
    });

    it("settles real usage against the reservation and returns it on release", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = { tokens: { limit: 1000, intervalMs: MINUTE } };
      const read = async () =>
        (await limiter.read({ subject: actor, feature: "chat", policy })).tokens!.usage;
      const first = expectAdmitted(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy,
          estimate: { tokens: 400, costUsd: 0 },
        }),
      );
      expect(await read()).toBe(400);
      await limiter.settle(first.ticket, { tokens: 150, costUsd: 0 });
      expect(await read()).toBe(150);
      const second = expectAdmitted(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy,
          estimate: { tokens: 500, costUsd: 0 },
        }),
      );
      expect(await read()).toBe(650);
      await limiter.release(second.ticket);
      expect(await read()).toBe(150);
    });

    it("counts usage beyond the estimate, which then refuses the next request", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = { tokens: { limit: 1000, intervalMs: MINUTE } };
      const admission = expectAdmitted(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy,
          estimate: { tokens: 100, costUsd: 0 },
        }),
      );
      await limiter.settle(admission.ticket, { tokens: 1200, costUsd: 0 });
      const snapshot = await limiter.read({ subject: actor, feature: "chat", policy });
      expect(snapshot.tokens).toMatchObject({ usage: 1200, remaining: 0 });
      expectRefused(
        await limiter.admit({ subject: actor, feature: "chat", policy, estimate: { tokens: 1, costUsd: 0 } }),
      );
    });

    it("settles into the window the reservation was made in, even after it rolled over", async () => {
      const { limiter, actor, clock } = await setup();
      const policy: FeaturePolicy = { tokens: { limit: 1000, intervalMs: MINUTE } };
      const reservedAt = clock.time;
      const admission = expectAdmitted(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy,
          estimate: { tokens: 300, costUsd: 0 },
        }),
      );
      clock.advance(MINUTE);
      await limiter.settle(admission.ticket, { tokens: 900, costUsd: 0 });
      const current = await limiter.read({ subject: actor, feature: "chat", policy });
      expect(current.tokens!.usage).toBe(0);
      const old = await limiter.read({ subject: actor, feature: "chat", policy, now: reservedAt });
      expect(old.tokens!.usage).toBe(900);
    });

    it("settles a ticket once, however often settle and release are called", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = { tokens: { limit: 1000, intervalMs: MINUTE }, concurrent: 5 };
      const admission = expectAdmitted(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy,
          estimate: { tokens: 100, costUsd: 0 },
        }),
      );
      await limiter.settle(admission.ticket, { tokens: 300, costUsd: 0 });
      await limiter.settle(admission.ticket, { tokens: 300, costUsd: 0 });
      await limiter.release(admission.ticket);
      const snapshot = await limiter.read({ subject: actor, feature: "chat", policy });
      expect(snapshot.tokens!.usage).toBe(300);
      expect(snapshot.concurrent).toEqual({ limit: 5, inUse: 0 });
    });

    it("holds a concurrency slot per request in flight and frees it on settle or release", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = { concurrent: 2 };
      const first = expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      const second = expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      const refusal = expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      expect(refusal).toMatchObject({ limit: "concurrency", value: 2, retryAfterSeconds: 1 });
      expect(refusal.message).toContain("2 concurrent chat requests");
      await limiter.settle(first.ticket, { tokens: 0, costUsd: 0 });
      const third = expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      await limiter.release(second.ticket);
      expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      await limiter.release(third.ticket);
    });

    it("admits all or nothing: a refusal by one limit leaves the others untouched", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = {
        requests: { limit: 10, intervalMs: MINUTE },
        tokens: { limit: 100, intervalMs: MINUTE },
        concurrent: 3,
        budget: { usd: 10, period: "day", timeZone: "UTC" },
      };
      const refusal = expectRefused(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy,
          estimate: { tokens: 500, costUsd: 1 },
        }),
      );
      expect(refusal.limit).toBe("tokens");
      const snapshot = await limiter.read({ subject: actor, feature: "chat", policy });
      expect(snapshot.requests!.usage).toBe(0);
      expect(snapshot.tokens!.usage).toBe(0);
      expect(snapshot.concurrent!.inUse).toBe(0);
      expect(snapshot.budget!.spentUsd).toBe(0);
    });

    it("gives back the slots of a request never settled once its lease ends", async () => {
      const { limiter, actor, clock } = await setup({ leaseMs: 1_000, renewLeases: false });
      const policy: FeaturePolicy = { concurrent: 1 };
      expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      clock.advance(999);
      expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      clock.advance(1);
      expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
    });

    it("renews the leases of requests still in flight", async () => {
      const { limiter, actor, clock } = await setup({ leaseMs: 600, renewLeases: true });
      const policy: FeaturePolicy = { concurrent: 1 };
      const held = expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      clock.advance(500);
      await sleep(700); // renewal rounds (every 200 ms) at the moved clock: deadline 500 + 600
      clock.advance(500); // past the first lease (600): only a renewal keeps the slot
      expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      await limiter.settle(held.ticket, { tokens: 0, costUsd: 0 });
      expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
    });

    it("reserves the estimated cost against the budget and refuses past it", async () => {
      const { limiter, actor, clock } = await setup();
      const policy: FeaturePolicy = { budget: { usd: 1, period: "month", timeZone: "UTC" } };
      const admit = (costUsd: number) =>
        limiter.admit({ subject: actor, feature: "chat", policy, estimate: { tokens: 0, costUsd } });
      const first = expectAdmitted(await admit(0.4));
      expectAdmitted(await admit(0.4));
      const refusal = expectRefused(await admit(0.4));
      expect(refusal).toMatchObject({ limit: "budget", value: 1, resetAt: Date.UTC(2030, 1, 1) });
      expect(refusal.retryAfterSeconds).toBe(Math.ceil((Date.UTC(2030, 1, 1) - clock.time) / 1000));
      expect(refusal.message).toContain("$1.00 per month");
      expect(refusal.message).toContain("spent $0.80");
      await limiter.settle(first.ticket, { tokens: 0, costUsd: 0.1 });
      expectAdmitted(await admit(0.4));
      const snapshot = await limiter.read({ subject: actor, feature: "chat", policy });
      expect(snapshot.budget).toEqual({
        usd: 1,
        spentUsd: 0.9,
        period: "month",
        resetAt: Date.UTC(2030, 1, 1),
      });
    });

    it("shares the budget across features", async () => {
      const { limiter, actor } = await setup();
      const budget = { usd: 1, period: "day", timeZone: "UTC" } as const;
      const chat = expectAdmitted(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy: { budget },
          estimate: { tokens: 0, costUsd: 0 },
        }),
      );
      await limiter.settle(chat.ticket, { tokens: 0, costUsd: 1 });
      const refusal = expectRefused(
        await limiter.admit({ subject: actor, feature: "codeCompletion", policy: { budget, concurrent: 4 } }),
      );
      expect(refusal.limit).toBe("budget");
    });

    it("resets a month budget on the 1st in the configured time zone", async () => {
      const { limiter, actor, clock } = await setup();
      const policy: FeaturePolicy = { budget: { usd: 1, period: "month", timeZone: "Europe/Berlin" } };
      clock.time = Date.UTC(2030, 0, 31, 22, 30); // 23:30 on 31 January in Berlin (UTC+1)
      const spend = expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      await limiter.settle(spend.ticket, { tokens: 0, costUsd: 1 });
      const refusal = expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      expect(refusal.resetAt).toBe(Date.UTC(2030, 0, 31, 23, 0));
      expect(refusal.message).toContain("Europe/Berlin");
      clock.time = Date.UTC(2030, 0, 31, 22, 59, 59, 999);
      expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      clock.time = Date.UTC(2030, 0, 31, 23, 0); // midnight, 1 February in Berlin; still January in UTC
      expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
    });

    it("names the exhausted limit that resets last, so Retry-After does not lead into another refusal", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = {
        requests: { limit: 1, intervalMs: MINUTE },
        budget: { usd: 1, period: "week", timeZone: "UTC" },
      };
      const admission = expectAdmitted(await limiter.admit({ subject: actor, feature: "chat", policy }));
      await limiter.settle(admission.ticket, { tokens: 0, costUsd: 2 });
      const refusal = expectRefused(await limiter.admit({ subject: actor, feature: "chat", policy }));
      expect(refusal.limit).toBe("budget");
      expect(refusal.resetAt).toBe(Date.UTC(2030, 0, 21)); // Monday after Tuesday 15 January 2030
    });

    it("reads limits, usage and reset times for GET /v1/limits", async () => {
      const { limiter, actor, clock } = await setup();
      const policy: FeaturePolicy = {
        requests: { limit: 10, intervalMs: MINUTE },
        tokens: { limit: 1000, intervalMs: MINUTE },
        concurrent: 4,
        budget: { usd: 5, period: "day", timeZone: "UTC" },
      };
      expectAdmitted(
        await limiter.admit({
          subject: actor,
          feature: "chat",
          policy,
          estimate: { tokens: 250, costUsd: 0.5 },
        }),
      );
      expect(await limiter.read({ subject: actor, feature: "chat", policy })).toEqual({
        requests: { limit: 10, intervalMs: MINUTE, usage: 1, remaining: 9, resetAt: clock.time + MINUTE },
        tokens: { limit: 1000, intervalMs: MINUTE, usage: 250, remaining: 750, resetAt: clock.time + MINUTE },
        concurrent: { limit: 4, inUse: 1 },
        budget: { usd: 5, spentUsd: 0.5, period: "day", resetAt: Date.UTC(2030, 0, 16) },
      });
      expect(await limiter.read({ subject: actor, feature: "chat", policy: {} })).toEqual({});
    });

    it("admits exactly the limit out of many concurrent admissions", async () => {
      const { limiter, actor } = await setup();
      const policy: FeaturePolicy = { requests: { limit: 50, intervalMs: MINUTE } };
      const admissions = await Promise.all(
        Array.from({ length: 200 }, () => limiter.admit({ subject: actor, feature: "embeddings", policy })),
      );
      expect(admissions.filter((admission) => admission.admitted)).toHaveLength(50);
    });
  });
}
