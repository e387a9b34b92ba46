import { collectDefaultMetrics, Registry } from "prom-client";
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
 * Node's process metrics (CPU, memory, handles, event loop lag, GC) with the `tollgate_` prefix. One registry per
 * process, made on first use: they describe the process, not a gateway, and their collectors (a GC observer, an
 * event loop monitor) are never stopped, so one set serves every gateway a test process starts.
 */
export function processMetricsText(): Promise<string> {
  return processRegistry().metrics();
}

/** The same as prom-client's JSON, for the primary of `serve --workers N` to sum over its workers. */
export function processMetricsJson(): Promise<MetricJson[]> {
  return processRegistry().getMetricsAsJSON();
}
