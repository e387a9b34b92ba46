import { describe, expect, it } from "vitest";
import { refusalNow } from "./dry-run.js";
import { MemoryLimiter } from "./memory-limiter.js";
import type { FeaturePolicy } from "./policy.js";

const now = Date.UTC(2030, 0, 15, 12, 0, 30);

async function limiterAfter(admissions: number, policy: FeaturePolicy) {
  const limiter = new MemoryLimiter({ now: () => now, renewLeases: false });
  for (let i = 0; i < admissions; i++) {
    await limiter.admit({ subject: "alice", feature: "chat", policy, estimate: { tokens: 0, costUsd: 0 } });
  }
  return limiter;
}

describe("refusalNow (explain's dry run of admission)", () => {
  it("admits under the limits and counts nothing while finding out", async () => {
    const policy: FeaturePolicy = { requests: { limit: 2, intervalMs: 60_000 }, concurrent: 4 };
    const limiter = await limiterAfter(1, policy);
    const read = () => limiter.read({ subject: "alice", feature: "chat", policy, now });
    expect(refusalNow("alice", "chat", policy, await read(), now)).toBeUndefined();
    expect((await read()).requests?.usage).toBe(1);
    await limiter.close();
  });

  it("names the limit and retry time the next admission would be refused with", async () => {
    const policy: FeaturePolicy = { requests: { limit: 2, intervalMs: 60_000 } };
    const limiter = await limiterAfter(2, policy);
    const snapshot = await limiter.read({ subject: "alice", feature: "chat", policy, now });
    const dry = refusalNow("alice", "chat", policy, snapshot, now);
    const real = await limiter.admit({ subject: "alice", feature: "chat", policy, now });
    expect(real.admitted).toBe(false);
    expect(dry).toMatchObject({ limit: "requests", retryAfterSeconds: 30 });
    expect(dry?.message).toBe(real.admitted ? undefined : real.message);
    await limiter.close();
  });

  it("refuses a spent budget and a full concurrency limit", async () => {
    const budget = { usd: 1, period: "month" as const, timeZone: "UTC" };
    const spent = { budget: { usd: 1, spentUsd: 1, period: "month" as const, resetAt: 0 } };
    expect(refusalNow("alice", "chat", { budget }, spent, now)?.limit).toBe("budget");
    const full = { concurrent: { limit: 1, inUse: 1 } };
    expect(refusalNow("alice", "chat", { concurrent: 1 }, full, now)).toMatchObject({
      limit: "concurrency",
      retryAfterSeconds: 1,
    });
  });
});
