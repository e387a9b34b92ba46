import { describe, expect, it } from "vitest";
import { latencyReport, percentile, sampleLine, spread, summarize } from "./debug-command-latency.js";

describe("latency statistics", () => {
  it("percentiles are nearest-rank: a measured value, never an interpolation", () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(100);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([1, 2], 50)).toBe(1);
    expect(() => percentile([], 50)).toThrow();
  });

  it("a spread is average, minimum, p50, p95 and maximum, whatever the order measured", () => {
    expect(spread([30, 10, 20])).toEqual({ avg: 20, min: 10, p50: 20, p95: 30, max: 30 });
    expect(spread([])).toBeUndefined();
  });

  it("failures are counted, the first one's message kept, and left out of the times", () => {
    const summary = summarize([
      { ok: true, ttftMs: 50, totalMs: 80 },
      { ok: false, error: "502 upstream_error: boom", totalMs: 5 },
      { ok: true, ttftMs: 70, totalMs: 100 },
      { ok: false, error: "429 rate_limited: later" },
    ]);
    expect(summary).toEqual({
      requests: 4,
      ok: 2,
      failed: 2,
      firstError: "502 upstream_error: boom",
      ttftMs: { avg: 60, min: 50, p50: 50, p95: 70, max: 70 },
      totalMs: { avg: 90, min: 80, p50: 80, p95: 100, max: 100 },
    });
  });

  it("the report shows ok/N, both rows of times, and the first failure", () => {
    const report = latencyReport(
      summarize([
        { ok: true, ttftMs: 50.04, totalMs: 80 },
        { ok: false, error: "502 upstream_error: boom" },
      ]),
    );
    expect(report).toContain("requests    1/2 ok");
    expect(report).toMatch(/first token\s+50\.0\s+50\.0\s+50\.0\s+50\.0\s+50\.0/);
    expect(report).toMatch(/total\s+80\.0/);
    expect(report).toContain("failed      1, the first: 502 upstream_error: boom");
  });

  it("a test where nothing succeeded has no times to show", () => {
    const report = latencyReport(summarize([{ ok: false, error: "401: no token" }]));
    expect(report).toContain("0/1 ok");
    expect(report).not.toContain("first token");
  });

  it("each request's line says its times or why it failed", () => {
    expect(sampleLine(0, { ok: true, ttftMs: 51.26, totalMs: 80 })).toBe(
      "#1   first token 51.3 ms, total 80.0 ms",
    );
    expect(sampleLine(9, { ok: false, error: "504: slow" })).toBe("#10  failed: 504: slow");
  });
});
