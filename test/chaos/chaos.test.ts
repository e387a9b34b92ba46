import { describe, expect, it } from "vitest";
import { runChaos } from "./chaos-run.js";
import { formatReport } from "./report.js";

/**
 * The chaos run, short: the same phases as `npm run chaos` (an upstream storm, Redis stopped and
 * restarted, Postgres refused and reset with a reload in the middle) squeezed into half a minute.
 */
describe("chaos run (short)", () => {
  it("keeps limits exact, holds no slot, loses no usage event and answers every request properly", async () => {
    const durationMs = 30_000;
    const report = await runChaos({ durationMs, clients: 8, seed: 1, log: () => {} });
    const text = formatReport(report, durationMs);
    expect(report.failures, text).toEqual([]);
    // The run exercised what it checks: the limits were reached and every phase saw traffic.
    expect(report.results.filter((r) => r.outcome === "ok").length, text).toBeGreaterThan(100);
    expect(report.mostHeldBounded, text).toBeGreaterThan(0);
    expect(report.admittedCounted, text).toBeGreaterThan(0);
    expect(
      report.results.some((r) => r.status === 429),
      text,
    ).toBe(true);
  }, 120_000);
});
