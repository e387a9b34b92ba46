import type { ChaosReport } from "./chaos-run.js";
import { CONCURRENT_LIMIT, REQUEST_LIMIT } from "./chaos-run.js";
import type { Result } from "./traffic.js";

function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

/** Requests by what became of them: `ok`, or the error class with its status and code. */
function classes(results: Result[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const result of results) {
    const status = result.status === undefined ? "" : ` ${result.status}`;
    const key =
      result.outcome === "ok"
        ? `ok${status}`
        : `${result.outcome}${status}${result.code ? ` ${result.code}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** The run as a plain-text report: what was sent, what came back, and the checks. */
export function formatReport(report: ChaosReport, durationMs: number): string {
  const { results } = report;
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const lines = [
    `chaos run: ${results.length} requests in ${(durationMs / 1000).toFixed(0)} s across 2 replicas`,
    `phases: ${report.phases.map((p) => `${p.name} @${(p.atMs / 1000).toFixed(1)}s`).join(", ")}`,
    `latency ms: p50 ${percentile(ms, 0.5)}, p99 ${percentile(ms, 0.99)}, max ${ms.at(-1) ?? 0}`,
    "",
    "requests by class:",
    ...classes(results).map(([key, count]) => `  ${String(count).padStart(6)}  ${key}`),
    "",
    "checks:",
    `  concurrency: the upstream held at most ${report.mostHeldBounded} of the bounded actor's requests (limit ${CONCURRENT_LIMIT}; ${report.mostHeldBoundedRaw} counting abandoned calls until their close arrived)`,
    `  requests: ${report.admittedCounted} of the counted actor's requests reached the upstream (limit ${REQUEST_LIMIT})`,
    `  slots held at each phase's end, per replica (traffic paused): ${report.slotChecks
      .map(
        ({ phase, held }) =>
          `${phase} ${held === "skipped" ? "(within a lease of Redis stopping)" : held.join("/")}`,
      )
      .join(", ")}`,
    `  usage events: ${report.usageRows} rows; ${report.missingUsage.length} answered requests without one, ${report.duplicateUsage.length} with more than one`,
    `  replicas' exit codes after SIGTERM: ${report.exitCodes.join(", ")}`,
    "",
    report.failures.length === 0 ? "PASS" : `FAIL\n${report.failures.map((f) => `  - ${f}`).join("\n")}`,
  ];
  return lines.join("\n");
}
