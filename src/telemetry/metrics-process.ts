import { type Aggregator, collectDefaultMetrics, Registry } from "prom-client";
import type { MetricJson } from "./metrics-cluster.js";

let registry: Registry | undefined;

function processRegistry(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: "tollgate_" });
  }
  return registry;
}

/**
 * How the primary of `serve --workers N` combines the process metrics whose prom-client default does not fit.
 * The rest keep prom-client's: CPU, memory, handles and GC summed (the replica's total), version the first,
 * start time left out, the event loop's minimum and maximum lag their own.
 */
const workersAggregators: ReadonlyMap<string, Aggregator> = new Map([
  // A per-process limit, and the worst process's use of it (summed, neither compares to the limit).
  ["tollgate_process_max_fds", "max"],
  ["tollgate_process_open_fds", "max"],
  // Averaged, one blocked worker among several would hide: the worst worker's lag.
  ...["lag", "lag_mean", "lag_stddev", "lag_p50", "lag_p90", "lag_p99"].map((name): [string, Aggregator] => [
    `tollgate_nodejs_eventloop_${name}_seconds`,
    "max",
  ]),
]);

/**
 * Node's process metrics (CPU, memory, handles, event loop lag, GC) with the `tollgate_` prefix. One registry per
 * process, made on first use: they describe the process, not a gateway, and their collectors (a GC observer, an
 * event loop monitor) are never stopped, so one set serves every gateway a test process starts.
 */
export function processMetricsText(): Promise<string> {
  return processRegistry().metrics();
}

/** The same as prom-client's JSON, each with the aggregator the primary of `serve --workers N` applies. */
export async function processMetricsJson(): Promise<MetricJson[]> {
  const metrics = await processRegistry().getMetricsAsJSON();
  return metrics.map((metric) => {
    const aggregator = workersAggregators.get(metric.name);
    return aggregator === undefined ? metric : { ...metric, aggregator };
  });
}
