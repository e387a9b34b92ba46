import { describe, expect, it } from "vitest";
import { costUsd, estimateCostUsd } from "./cost.js";

const sonnet = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
});

describe("cost", () => {
  it.each([
    ["plain input and output", usage(1_000_000, 1_000_000), 18],
    ["cache reads at their own price", usage(1_000_000, 0, 1_000_000), 0.3],
    ["cache writes at their own price", usage(2_000_000, 0, 0, 1_000_000), 3 + 3.75],
    ["a small request", usage(1200, 300), (1200 * 3 + 300 * 15) / 1e6],
  ])("prices %s", (_, tokens, expected) => {
    expect(costUsd(tokens, sonnet)).toBeCloseTo(expected, 10);
  });

  it("falls back to the input price for unpriced cache tokens, and costs nothing without pricing", () => {
    expect(costUsd(usage(1_000_000, 0, 500_000), { input: 2, output: 8 })).toBeCloseTo(2, 10);
    expect(costUsd(usage(1_000_000, 1_000_000), undefined)).toBe(0);
  });

  it("estimates the worst case before the request runs", () => {
    expect(estimateCostUsd(1000, 4000, sonnet)).toBeCloseTo((1000 * 3 + 4000 * 15) / 1e6, 10);
  });
});
