import { collectDefaultMetrics, Registry } from "prom-client";

let registry: Registry | undefined;

/**
 * Node's process metrics (CPU, memory, handles, event loop lag, GC) with the `tollgate_` prefix. One registry per
 * process, made on first use: they describe the process, not a gateway, and their collectors (a GC observer, an
 * event loop monitor) are never stopped, so one set serves every gateway a test process starts.
 */
export function processMetricsText(): Promise<string> {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: "tollgate_" });
  }
  return registry.metrics();
}
