import { describe, expect, it } from "vitest";
import type { Limiter } from "../../src/limits/limiter.js";
import { MemoryLimiter } from "../../src/limits/memory-limiter.js";
import { expectAdmitted, limiterConformance, ManualClock } from "./conformance.js";

const opened: Limiter[] = [];

limiterConformance("memory", () => ({
  async create(options) {
    const limiter = new MemoryLimiter(options);
    opened.push(limiter);
    return limiter;
  },
  async cleanup() {
    await Promise.all(opened.map((limiter) => limiter.close()));
  },
}));

describe("memory limiter housekeeping", () => {
  it("sweeps expired windows and leases so memory stays bounded", async () => {
    const clock = new ManualClock();
    const limiter = new MemoryLimiter({ now: clock.now, leaseMs: 1_000, renewLeases: false });
    try {
      for (let index = 0; index < 100; index++) {
        expectAdmitted(
          await limiter.admit({
            subject: `actor-${index}`,
            feature: "chat",
            policy: { requests: { limit: 5, intervalMs: 1_000 }, concurrent: 2 },
          }),
        );
      }
      expect(limiter.size).toBe(200);
      limiter.sweep(clock.time + 1_000);
      // The slots' leases ended; the windows are kept for their settle slack.
      expect(limiter.size).toBe(100);
      limiter.sweep(clock.time + 60 * 60_000);
      expect(limiter.size).toBe(0);
    } finally {
      await limiter.close();
    }
  });
});
