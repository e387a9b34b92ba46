/** The §7 verdicts of `npm run bench` (bench/report.ts): per-round comparisons and their median. */
import { describe, expect, it } from "vitest";
import type { Measurement } from "../../bench/measurement.js";
import { checkTargets } from "../../bench/report.js";
import { soakGrowth } from "../../bench/soak.js";

function rate(
  scenario: string,
  target: "bare" | "tollgate" | "tollgate-redis",
  rps: number,
  p99: number,
  round?: number,
): Measurement {
  return {
    scenario,
    target,
    status: "ok",
    ...(round ? { round } : {}),
    rate: {
      requests: rps,
      durationS: 1,
      rps,
      latencyMs: { p50: 1, p99, p999: p99, max: p99 },
      errors: 0,
      non2xx: 0,
    },
  } as Measurement;
}

const verdict = (results: Measurement[], prefix: string) =>
  checkTargets(results, undefined, 5_000).find((c) => c.target.startsWith(prefix));

describe("bench §7 checks", () => {
  it("compares each round with the bare proxy of the same round and judges by the median", () => {
    const results = [
      rate("chat-max", "bare", 10_000, 5, 1),
      rate("chat-max", "tollgate", 8_500, 5, 1),
      // A slow phase of the machine: both drop; compared across rounds this would read 41% or 164%.
      rate("chat-max", "bare", 5_000, 5, 2),
      rate("chat-max", "tollgate", 4_100, 5, 2),
      rate("chat-max", "bare", 10_000, 5, 3),
      rate("chat-max", "tollgate", 8_200, 5, 3),
    ];
    const check = verdict(results, "throughput ≥");
    expect(check?.result).toBe("PASS");
    expect(check?.measured).toMatch(/^median of 3 rounds; .*: 82%$/);
  });

  it("fails the throughput target when the median round is under DESIGN §7's 80%", () => {
    const results = [
      rate("chat-max", "bare", 10_000, 5, 1),
      rate("chat-max", "tollgate", 6_000, 5, 1),
      rate("chat-max", "bare", 10_000, 5, 2),
      rate("chat-max", "tollgate", 9_000, 5, 2),
      rate("chat-max", "bare", 10_000, 5, 3),
      rate("chat-max", "tollgate", 7_800, 5, 3),
    ];
    expect(verdict(results, "throughput ≥")?.result).toBe("FAIL");
  });

  it("judges the p99 budget on the median of per-round differences, and a single run as before", () => {
    const rounds = [
      { ...rate("chat-rate-tg", "bare", 4_000, 3, 1), offeredRate: 4_000 },
      { ...rate("chat-rate-tg", "tollgate", 4_000, 3.5, 1), offeredRate: 4_000 },
      { ...rate("chat-rate-tg", "bare", 4_000, 40, 2), offeredRate: 4_000 },
      { ...rate("chat-rate-tg", "tollgate", 4_000, 90, 2), offeredRate: 4_000 },
      { ...rate("chat-rate-tg", "bare", 4_000, 3, 3), offeredRate: 4_000 },
      { ...rate("chat-rate-tg", "tollgate", 4_000, 3.9, 3), offeredRate: 4_000 },
    ];
    const check = verdict(rounds, "p99 ≤");
    expect(check?.result).toBe("PASS");
    expect(check?.measured).toMatch(/median of 3 rounds.*: \+0\.9 ms$/);

    const once = [
      { ...rate("chat-rate-tg", "bare", 4_000, 3), offeredRate: 4_000 },
      { ...rate("chat-rate-tg", "tollgate", 4_000, 5), offeredRate: 4_000 },
    ];
    expect(verdict(once, "p99 ≤")?.result).toBe("FAIL");
    expect(verdict([], "p99 ≤")?.result).toBe("N/A");
  });

  it("pairs the Redis variant with the bare rounds measured beside it, else with the in-memory run's", () => {
    const memory = [rate("chat-max", "bare", 10_000, 5), rate("chat-max", "tollgate", 7_500, 5)];
    const beside = [rate("redis-max", "bare", 6_000, 5, 1), rate("redis-max", "tollgate-redis", 4_500, 5, 1)];
    expect(verdict([...memory, ...beside], "throughput with Redis")?.measured).toMatch(
      /4500 vs 6000 req\/s: 75%/,
    );
    const alone = [rate("redis-max", "tollgate-redis", 4_500, 5)];
    const check = verdict([...memory, ...alone], "throughput with Redis");
    expect(check?.measured).toMatch(/4500 vs 10000 req\/s: 45%/);
    expect(check?.result).toBe("FAIL");
  });
});

describe("soak growth", () => {
  const sample = (atS: number, rssMb: number) => ({
    atS,
    rssMb,
    rssMaxMb: rssMb,
    rps: 1,
    p99Ms: 1,
    cpuUsPerRequest: 1,
    streamsFailed: 0,
  });

  it("counts growth from the end of the warm-up, and reports it from the start too", () => {
    // An hour: the heap settles over the first minutes, then holds.
    const samples = [
      sample(60, 250),
      sample(300, 330),
      sample(360, 335),
      sample(1800, 336),
      sample(3600, 338),
    ];
    expect(soakGrowth(samples, 3600)).toEqual({
      warmUpS: 360,
      growthPercent: 0.9,
      growthFromStartPercent: 35.2,
    });
  });

  it("still catches a leak that keeps growing after the warm-up", () => {
    const samples = [sample(60, 250), sample(360, 300), sample(1800, 330), sample(3600, 360)];
    const growth = soakGrowth(samples, 3600);
    expect(growth.growthPercent).toBe(20);
    const check = checkTargets(
      [],
      { target: "tollgate", durationS: 3600, offeredRate: 1, samples, ...growth },
      5_000,
    );
    expect(check.find((c) => c.target.startsWith("soak"))?.result).toBe("FAIL");
  });
});
