// The chat-max-workers scenario in brief: medians over the rounds, and how N workers compare with one process.
import type { TargetName } from "./harness.js";
import type { Measurement } from "./measurement.js";
import { median } from "./median.js";

export const WORKERS_SCENARIO = "chat-max-workers";

export interface WorkersSummary {
  workers: number;
  rounds: number;
  /** Median req/s over the rounds. */
  rps: Partial<Record<TargetName, number>>;
  /** Median CPU µs per request (a gateway's workers included). */
  cpuUsPerRequest: Partial<Record<TargetName, number>>;
  /** Median of the per-round ratios: N workers over one process, and each gateway over the bare proxy. */
  workersVsSingle: number | undefined;
  singleVsBare: number | undefined;
  workersVsBare: number | undefined;
}

export function summarizeWorkers(results: Measurement[], workers: number): WorkersSummary | undefined {
  const rows = results.filter((m) => m.scenario === WORKERS_SCENARIO && m.status === "ok" && m.rate);
  if (rows.length === 0) return undefined;
  const of = (target: TargetName) => rows.filter((m) => m.target === target);
  const targets: TargetName[] = ["bare", "tollgate-redis", "tollgate-workers"];
  const rps: WorkersSummary["rps"] = {};
  const cpu: WorkersSummary["cpuUsPerRequest"] = {};
  for (const target of targets) {
    const r = median(of(target).map((m) => m.rate!.rps));
    if (r !== undefined) rps[target] = r;
    const c = median(of(target).flatMap((m) => (m.usage ? [m.usage.cpuUsPerRequest] : [])));
    if (c !== undefined) cpu[target] = c;
  }
  // Within a round the targets ran back to back: compare there, then take the median over rounds.
  const ratio = (a: TargetName, b: TargetName) =>
    median(
      of(a).flatMap((m) => {
        const ref = of(b).find((r) => r.round === m.round);
        return ref?.rate?.rps ? [m.rate!.rps / ref.rate.rps] : [];
      }),
    );
  return {
    workers,
    rounds: Math.max(...rows.map((m) => m.round ?? 1)),
    rps,
    cpuUsPerRequest: cpu,
    workersVsSingle: ratio("tollgate-workers", "tollgate-redis"),
    singleVsBare: ratio("tollgate-redis", "bare"),
    workersVsBare: ratio("tollgate-workers", "bare"),
  };
}

export function workersTable(summary: WorkersSummary | undefined): string[] {
  if (!summary) return [];
  const percent = (v: number | undefined) => (v === undefined ? "–" : `${(v * 100).toFixed(0)}%`);
  const row = (target: TargetName, label: string, vsSingle: string, vsBare: string) =>
    `| ${target} | ${label} | ${summary.rps[target] ?? "–"} | ${summary.cpuUsPerRequest[target] ?? "–"} | ${vsSingle} | ${vsBare} |`;
  return [
    `### Workers: \`serve --workers ${summary.workers}\` vs one process (chat-max, limits in Redis)`,
    "",
    `${summary.rounds > 1 ? `Medians over ${summary.rounds} rounds; ratios are the median of the per-round ratios.` : "One round."}`,
    "",
    "| target | processes | req/s | CPU µs/req | vs one process | vs bare |",
    "|---|---|--:|--:|--:|--:|",
    row("bare", "1 (the bare proxy)", "–", "–"),
    row("tollgate-redis", "1", "100%", percent(summary.singleVsBare)),
    row(
      "tollgate-workers",
      `${summary.workers} workers + primary`,
      percent(summary.workersVsSingle),
      percent(summary.workersVsBare),
    ),
    "",
  ];
}
