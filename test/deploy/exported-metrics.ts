/** A series name of a scrape: its family's type and the values seen of each of its labels. */
export interface ExportedMetric {
  type: string;
  labels: Map<string, Set<string>>;
}

/** Series names as a query selects them: a histogram `x` is `x_bucket` (with `le`), `x_sum` and `x_count`. */
export type ExportedMetrics = Map<string, ExportedMetric>;

const histogramSuffixes = ["_bucket", "_sum", "_count"];

/**
 * The series names and label values of Prometheus' text format. Every family is listed from its `# TYPE` line,
 * so a family without samples yet still exists (with no labels seen).
 */
export function exportedMetrics(text: string): ExportedMetrics {
  const metrics: ExportedMetrics = new Map();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, family, kind] = type as unknown as [string, string, string];
      const names = kind === "histogram" ? histogramSuffixes.map((suffix) => family + suffix) : [family];
      for (const name of names) metrics.set(name, { type: kind, labels: new Map() });
      continue;
    }
    if (line.startsWith("#")) continue;
    const { name, labels } = sample(line);
    const metric = metrics.get(name);
    if (metric === undefined) throw new Error(`a sample of ${name} without its # TYPE line`);
    for (const [label, value] of labels) {
      const values = metric.labels.get(label) ?? new Set<string>();
      values.add(value);
      metric.labels.set(label, values);
    }
  }
  return metrics;
}

/** `name{a="x",b="y"} value`: label values may hold escaped quotes, backslashes and newlines. */
function sample(line: string): { name: string; labels: [string, string][] } {
  const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+( \d+)?$/.exec(line);
  if (!match) throw new Error(`not a sample line: ${line}`);
  const labels = [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(
    ([, label, value]) =>
      [label!, value!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))] as [string, string],
  );
  return { name: match[1]!, labels };
}
