/**
 * The numbers of a latency test and their report, shared by `tollgate latency-test` (timed at the client) and
 * the chat debug command (timed by the gateway against the upstream), so both print the same summary. Pure.
 */

/** One timed request: its time to the first streamed token and its whole time, or why it failed. */
export type LatencySample =
  | { ok: true; ttftMs: number; totalMs: number }
  | { ok: false; error: string; totalMs?: number };

export interface Spread {
  avg: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

export interface LatencySummary {
  requests: number;
  ok: number;
  failed: number;
  /** The first failure's message (status and the gateway's or upstream's message). */
  firstError?: string;
  /** Over the successful requests; absent when none succeeded. */
  ttftMs?: Spread;
  totalMs?: Spread;
}

/** Nearest-rank percentile of sorted values: a value that was measured, never an interpolation. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no values");
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const round = (value: number) => Math.round(value * 10) / 10;

export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    avg: round(sum / sorted.length),
    min: round(sorted[0]!),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1]!),
  };
}

export function summarize(samples: readonly LatencySample[]): LatencySummary {
  const ok = samples.filter((sample) => sample.ok);
  const firstError = samples.find((sample) => !sample.ok)?.error;
  const ttftMs = spread(ok.map((sample) => sample.ttftMs));
  const totalMs = spread(ok.map((sample) => sample.totalMs));
  return {
    requests: samples.length,
    ok: ok.length,
    failed: samples.length - ok.length,
    ...(firstError === undefined ? {} : { firstError }),
    ...(ttftMs ? { ttftMs } : {}),
    ...(totalMs ? { totalMs } : {}),
  };
}

const columns = ["avg", "min", "p50", "p95", "max"] as const;

function row(label: string, cells: readonly string[]): string {
  return `${label.padEnd(12)}${cells.map((cell) => cell.padStart(9)).join("")}`;
}

/** One line per request, for the debug command's reply (Cody's shows the individual timings too). */
export function sampleLine(index: number, sample: LatencySample): string {
  const number = `#${index + 1}`.padEnd(5);
  if (!sample.ok) return `${number}failed: ${sample.error}`;
  return `${number}first token ${sample.ttftMs.toFixed(1)} ms, total ${sample.totalMs.toFixed(1)} ms`;
}

/** The summary table: ok/N, then TTFT and total time as avg, min, p50, p95, max in milliseconds. */
export function latencyReport(summary: LatencySummary): string {
  const lines = [`requests    ${summary.ok}/${summary.requests} ok`];
  if (summary.ttftMs && summary.totalMs) {
    lines.push(row("", columns.map(String)));
    lines.push(
      row(
        "first token",
        columns.map((column) => summary.ttftMs![column].toFixed(1)),
      ),
    );
    lines.push(
      row(
        "total",
        columns.map((column) => summary.totalMs![column].toFixed(1)),
      ),
    );
    lines.push("(milliseconds)");
  }
  if (summary.failed > 0) {
    lines.push(`failed      ${summary.failed}, the first: ${summary.firstError ?? "unknown error"}`);
  }
  return `${lines.join("\n")}\n`;
}
