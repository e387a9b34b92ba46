import { describe, expect, it } from "vitest";
import { limitsView } from "./snapshot.js";

describe("limitsView (GET /v1/limits body)", () => {
  it("writes each feature's interval, windows, slots and models, and the actor's budget once", () => {
    const resetAt = Date.UTC(2030, 0, 15, 12, 1);
    const budget = { usd: 50, spentUsd: 12.5, period: "month" as const, resetAt: Date.UTC(2030, 1, 1) };
    const body = limitsView([
      {
        feature: "chat",
        allowedModels: ["anthropic::2023-06-01::claude-sonnet-4"],
        snapshot: {
          requests: { limit: 100, intervalMs: 60_000, usage: 3, remaining: 97, resetAt },
          tokens: { limit: 200_000, intervalMs: 60_000, usage: 1_000, remaining: 199_000, resetAt },
          concurrent: { limit: 8, inUse: 1 },
          budget,
        },
      },
      { feature: "embeddings", allowedModels: [], snapshot: { budget } },
    ]);
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({
        chat: {
          interval: "1m",
          requests: { limit: 100, usage: 3, remaining: 97, resetAt: "2030-01-15T12:01:00.000Z" },
          tokens: { limit: 200_000, usage: 1_000, remaining: 199_000, resetAt: "2030-01-15T12:01:00.000Z" },
          concurrent: { limit: 8, inUse: 1 },
          allowedModels: ["anthropic::2023-06-01::claude-sonnet-4"],
        },
        budget: { usd: 50, spentUsd: 12.5, period: "month", resetAt: "2030-02-01T00:00:00.000Z" },
        embeddings: { allowedModels: [] },
      }),
    );
  });
});
