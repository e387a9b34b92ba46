import type { Registry } from "prom-client";

/** One metric as prom-client's `getMetricsAsJSON` gives it. */
export type MetricJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>[number];

type Sample = MetricJson["values"][number] & { metricName?: string };

/** Counters and histograms summed over workers: what an exited worker counted still belongs in the sum. */
function cumulative(metric: MetricJson): boolean {
  // prom-client types `type` as a numeric enum; its JSON holds the names.
  const type = metric.type as unknown as string;
  return (type === "counter" || type === "histogram") && (metric.aggregator ?? "sum") === "sum";
}

function sampleKey(sample: Sample): string {
  const labels = Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${sample.metricName ?? ""}\n${JSON.stringify(labels)}`;
}

/**
 * The counters and histograms of `totals` and `snapshot` added sample by sample; gauges are left out (a gone
 * process's queue depth or memory means nothing). The primary of `serve --workers N` keeps an exited worker's
 * totals this way, so that summed counters never go down (Prometheus would read a reset).
 */
export function addTotals(totals: MetricJson[], snapshot: MetricJson[]): MetricJson[] {
  const byName = new Map<string, { metric: MetricJson; samples: Map<string, Sample> }>();
  for (const metric of [...totals, ...snapshot]) {
    if (!cumulative(metric)) continue;
    let entry = byName.get(metric.name);
    if (entry === undefined) {
      entry = { metric, samples: new Map() };
      byName.set(metric.name, entry);
    }
    for (const sample of metric.values as Sample[]) {
      const key = sampleKey(sample);
      const previous = entry.samples.get(key);
      entry.samples.set(
        key,
        previous ? { ...previous, value: previous.value + sample.value } : { ...sample },
      );
    }
  }
  return [...byName.values()].map(({ metric, samples }) => ({ ...metric, values: [...samples.values()] }));
}
