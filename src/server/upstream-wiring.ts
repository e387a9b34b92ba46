import type { LoadedConfig } from "../config/index.js";
import type { Logger } from "../telemetry/logger.js";
import type { GatewayMetrics } from "../telemetry/metrics.js";
import { createUpstreamClient, type UpstreamClient } from "../upstream/index.js";

/**
 * The gateway's upstream client: circuit breakers read from the current config at each fault (so a reload
 * applies), one log line when a circuit opens or closes, and their state as metrics.
 */
export function gatewayUpstream(options: {
  config: () => LoadedConfig["config"];
  logger: Logger;
  metrics: GatewayMetrics | undefined;
}): UpstreamClient {
  const { config, logger, metrics } = options;
  const upstream = createUpstreamClient({
    // Read at each fault, so a reload applies; off means a threshold no run of faults reaches.
    circuitBreaker: () => {
      const { enabled, failures, coolDown } = config().upstream.circuitBreaker;
      return { failures: enabled ? failures : Number.POSITIVE_INFINITY, coolDownMs: coolDown };
    },
    onCircuitChange: (change) => {
      const fields = { endpoint: change.endpoint, model: change.model, failures: change.failures };
      if (change.to === "open" && change.from === "closed")
        logger.warn(fields, "upstream circuit opened: requests to this endpoint and model are held back");
      else if (change.to === "closed")
        logger.info(fields, "upstream circuit closed: the endpoint answers again");
    },
  });
  const circuits = upstream.circuits;
  if (circuits) {
    metrics?.gauge(
      "upstream_circuits_open",
      "Upstream circuits (endpoint and model) open or half-open in this replica.",
      // Each worker keeps its own circuits: summed, one endpoint's would count once per worker.
      "max",
      () => circuits.count("open") + circuits.count("half-open"),
    );
    metrics?.counter(
      "upstream_circuit_openings_total",
      "Times an upstream circuit (endpoint and model) opened in this replica.",
      () => circuits.openings,
    );
  }
  return upstream;
}
