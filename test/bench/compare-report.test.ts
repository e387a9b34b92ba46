/** `npm run bench -- --compare REV` (bench/compare-report.ts): a change read from per-round ratios of two builds. */
import { describe, expect, it } from "vitest";
import { COMPARE_SCENARIO, compareTable, summarizeCompare } from "../../bench/compare-report.js";
import type { TargetName } from "../../bench/harness.js";
import type { Measurement } from "../../bench/measurement.js";

function measured(target: TargetName, rps: number, cpuUsPerRequest: number, round: number): Measurement {
  return {
    scenario: COMPARE_SCENARIO,
    target,
    status: "ok",
    round,
    rate: {
      requests: rps,
      durationS: 1,
      rps,
      latencyMs: { p50: 1, p99: 2, p999: 3, max: 4 },
      errors: 0,
      non2xx: 0,
    },
    usage: { cpuUsPerRequest },
  } as Measurement;
}

describe("bench --compare", () => {
  it("reads the change from each round's own ratio, so a slow phase of the machine does not move it", () => {
    const results = [
      measured("bare", 8_000, 100, 1),
      measured("tollgate-base", 4_000, 300, 1),
      measured("tollgate", 5_000, 240, 1),
      // Everything twice as slow: across rounds the builds would look 2× apart.
      measured("bare", 4_000, 200, 2),
      measured("tollgate-base", 2_000, 600, 2),
      measured("tollgate", 2_500, 480, 2),
      measured("bare", 8_000, 100, 3),
      measured("tollgate-base", 4_000, 300, 3),
      measured("tollgate", 4_400, 270, 3),
    ];
    const summary = summarizeCompare(results, "v1", "0123456789abcdef")!;
    expect(summary.rounds).toBe(3);
    expect(summary.cpuVsBase).toBeCloseTo(0.8); // 0.8, 0.8, 0.9
    expect(summary.rpsVsBase).toBeCloseTo(1.25); // 1.25, 1.25, 1.1
    expect(summary.cpuVsBare.tollgate).toBeCloseTo(2.4);
    expect(summary.cpuVsBare["tollgate-base"]).toBeCloseTo(3);
    expect(summary.rpsVsBare["tollgate-base"]).toBeCloseTo(0.5);
    expect(summary.cpuUsPerRequest.tollgate).toBe(270);
    const table = compareTable(summary).join("\n");
    expect(table).toContain("this build over the base: **0.80×**");
    expect(table).toMatch(/\| Tollgate at v1 \| 4000 \| 300 \| 3\.00× \| 50% \|/);
  });

  it("leaves out a round where the base did not run, and has nothing to say without rows", () => {
    const results = [
      measured("bare", 8_000, 100, 1),
      measured("tollgate", 5_000, 240, 1),
      measured("bare", 8_000, 100, 2),
      measured("tollgate-base", 4_000, 300, 2),
      measured("tollgate", 4_000, 270, 2),
    ];
    expect(summarizeCompare(results, "v1", "abc")!.cpuVsBase).toBeCloseTo(0.9);
    expect(summarizeCompare([], "v1", "abc")).toBeUndefined();
    expect(compareTable(undefined)).toEqual([]);
  });
});
