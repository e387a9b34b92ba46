import { describe, expect, it } from "vitest";
import { formatResetDuration, rateLimitHeaders } from "./headers.js";

describe("formatResetDuration (OpenAI's x-ratelimit-reset-* format)", () => {
  const table: [number, string][] = [
    [-5, "0s"],
    [0, "0s"],
    [0.2, "1ms"],
    [1, "1ms"],
    [250, "250ms"],
    [999, "999ms"],
    [1_000, "1s"],
    [1_500, "1.5s"],
    [1_250, "1.25s"],
    [8_640, "8.64s"],
    [59_999, "59.999s"],
    [60_000, "1m0s"],
    [86_400, "1m26.4s"],
    [360_000, "6m0s"],
    [3_599_000, "59m59s"],
    [3_600_000, "1h0m0s"],
    [5_430_500, "1h30m30.5s"],
    [86_400_000, "24h0m0s"],
  ];
  it.each(table)("%d ms is %s", (milliseconds, text) => {
    expect(formatResetDuration(milliseconds)).toBe(text);
  });
});

describe("rateLimitHeaders", () => {
  const now = Date.UTC(2030, 0, 1);
  it("writes the requests and tokens trios", () => {
    expect(
      rateLimitHeaders({
        now,
        requests: { limit: 100, remaining: 99, resetAt: now + 12_000 },
        tokens: { limit: 200_000, remaining: 150_000, resetAt: now + 360_000 },
      }),
    ).toEqual({
      "x-ratelimit-limit-requests": "100",
      "x-ratelimit-remaining-requests": "99",
      "x-ratelimit-reset-requests": "12s",
      "x-ratelimit-limit-tokens": "200000",
      "x-ratelimit-remaining-tokens": "150000",
      "x-ratelimit-reset-tokens": "6m0s",
    });
  });

  it("leaves out the trio of a limit that does not apply", () => {
    expect(rateLimitHeaders({ now, tokens: { limit: 10, remaining: 0, resetAt: now + 500 } })).toEqual({
      "x-ratelimit-limit-tokens": "10",
      "x-ratelimit-remaining-tokens": "0",
      "x-ratelimit-reset-tokens": "500ms",
    });
    expect(rateLimitHeaders({ now })).toEqual({});
  });
});
