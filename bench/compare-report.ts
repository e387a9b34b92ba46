// The chat-max-compare scenario in brief: this checkout's gateway against a base commit's, both beside the bare
// proxy in the same rounds, as medians of the per-round ratios (the VM drifts too much to compare across runs).
import type { TargetName } from "./harness.js";
import type { Measurement } from "./measurement.js";
import { median } from "./median.js";

export const COMPARE_SCENARIO = "chat-max-compare";

export interface CompareSummary {
  /** The base commit as given and as resolved. */
  base: string;
  baseCommit: string;
  rounds: number;
  /** Median req/s and CPU µs per request over the rounds. */
  rps: Partial<Record<TargetName, number>>;
  cpuUsPerRequest: Partial<Record<TargetName, number>>;
  /** Medians of the per-round ratios: this build over the base (CPU and req/s), and each over the bare proxy. */
  cpuVsBase: number | undefined;
  rpsVsBase: number | undefined;
  cpuVsBare: Partial<Record<TargetName, number>>;
  rpsVsBare: Partial<Record<TargetName, number>>;
}

export function summarizeCompare(
  results: Measurement[],
  base: string,
  baseCommit: string,
): CompareSummary | undefined {
  const rows = results.filter((m) => m.scenario === COMPARE_SCENARIO && m.status === "ok" && m.rate);
  if (rows.length === 0) return undefined;
  const of = (target: TargetName) => rows.filter((m) => m.target === target);
  const cpu = (m: Measurement) => m.usage?.cpuUsPerRequest;
  const rate = (m: Measurement) => m.rate?.rps;
  /** The median over rounds of a / b, where both were measured in the round. */
  const ratio = (a: TargetName, b: TargetName, value: (m: Measurement) => number | undefined) =>
    median(
      of(a).flatMap((m) => {
        const reference = of(b).find((r) => r.round === m.round);
        const top = value(m);
        const bottom = reference ? value(reference) : undefined;
        return top !== undefined && bottom ? [top / bottom] : [];
      }),
    );
  const summary: CompareSummary = {
    base,
    baseCommit,
    rounds: Math.max(...rows.map((m) => m.round ?? 1)),
    rps: {},
    cpuUsPerRequest: {},
    cpuVsBase: ratio("tollgate", "tollgate-base", cpu),
    rpsVsBase: ratio("tollgate", "tollgate-base", rate),
    cpuVsBare: {},
    rpsVsBare: {},
  };
  for (const target of ["bare", "tollgate-base", "tollgate"] as const) {
    const r = median(of(target).flatMap((m) => (rate(m) === undefined ? [] : [rate(m)!])));
    if (r !== undefined) summary.rps[target] = r;
    const c = median(of(target).flatMap((m) => (cpu(m) === undefined ? [] : [cpu(m)!])));
    if (c !== undefined) summary.cpuUsPerRequest[target] = c;
    if (target === "bare") continue;
    const cpuRatio = ratio(target, "bare", cpu);
    if (cpuRatio !== undefined) summary.cpuVsBare[target] = cpuRatio;
    const rpsRatio = ratio(target, "bare", rate);
    if (rpsRatio !== undefined) summary.rpsVsBare[target] = rpsRatio;
  }
  return summary;
}

export function compareTable(summary: CompareSummary | undefined): string[] {
  if (!summary) return [];
  const times = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(2)}×`);
  const percent = (v: number | undefined) => (v === undefined ? "–" : `${(v * 100).toFixed(0)}%`);
  const row = (target: TargetName, label: string) =>
    `| ${label} | ${summary.rps[target] ?? "–"} | ${summary.cpuUsPerRequest[target] ?? "–"} | ${target === "bare" ? "–" : times(summary.cpuVsBare[target])} | ${target === "bare" ? "–" : percent(summary.rpsVsBare[target])} |`;
  return [
    `### This build against ${summary.base} (${summary.baseCommit.slice(0, 12)}), chat-max`,
    "",
    `${summary.rounds > 1 ? `Medians over ${summary.rounds} rounds, each measuring the bare proxy, the base and this build back to back; ratios are the median of the per-round ratios.` : "One round."} CPU per request, this build over the base: **${times(summary.cpuVsBase)}**; req/s: ${percent(summary.rpsVsBase)}.`,
    "",
    "| target | req/s | CPU µs/req | CPU vs bare | req/s vs bare |",
    "|---|--:|--:|--:|--:|",
    row("bare", "bare proxy"),
    row("tollgate-base", `Tollgate at ${summary.base}`),
    row("tollgate", "Tollgate, this build"),
    "",
  ];
}
