import { describe, expect, it } from "vitest";
import { buildPlan, PlanKeys } from "./plan.js";

const policy = {
  requests: { limit: 10, intervalMs: 60_000 },
  tokens: { limit: 100, intervalMs: 3_600_000 },
  concurrent: 2,
};

describe("buildPlan keys", () => {
  it("reuses a window's key while the window lasts and moves to the next one with the clock", () => {
    const keys = new PlanKeys("tg:");
    const first = buildPlan(keys, "actor:1", "chat", policy, { tokens: 5, costUsd: 0 }, 30_000, 120_000);
    const same = buildPlan(keys, "actor:1", "chat", policy, { tokens: 5, costUsd: 0 }, 30_000, 179_999);
    const next = buildPlan(keys, "actor:1", "chat", policy, { tokens: 5, costUsd: 0 }, 30_000, 180_000);
    expect(first.requests?.key).toBe("tg:limits:{actor%3A1}:chat:r:60000:2");
    expect(same.requests?.key).toBe(first.requests?.key);
    expect(next.requests?.key).toBe("tg:limits:{actor%3A1}:chat:r:60000:3");
    expect(next.tokens?.key).toBe("tg:limits:{actor%3A1}:chat:t:3600000:0");
    expect(next.concurrency?.key).toBe("tg:limits:{actor%3A1}:chat:c");
  });

  it("keeps subjects, features and intervals apart", () => {
    const keys = new PlanKeys("");
    const chat = buildPlan(keys, "a", "chat", policy, undefined, 30_000, 0);
    const code = buildPlan(keys, "a", "codeCompletion", policy, undefined, 30_000, 0);
    const other = buildPlan(keys, "b", "chat", policy, undefined, 30_000, 0);
    const hourly = buildPlan(
      keys,
      "a",
      "chat",
      { requests: { limit: 1, intervalMs: 3_600_000 } },
      undefined,
      30_000,
      0,
    );
    const all = [chat.requests?.key, code.requests?.key, other.requests?.key, hourly.requests?.key];
    expect(new Set(all).size).toBe(4);
  });
});
