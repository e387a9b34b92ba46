import { readFileSync } from "node:fs";
import { idsOnlyTracing, type Tracing } from "./tracing.js";

/** `telemetry.tracing` of the config file. */
export interface TracingSettings {
  enabled: boolean;
  endpoint?: string | undefined;
  serviceName: string;
  sampleRatio: number;
}

/** The OTLP/HTTP default of the OpenTelemetry specification. */
const defaultEndpoint = "http://localhost:4318";

/** A base endpoint gets the traces path appended, as OTEL_EXPORTER_OTLP_ENDPOINT does; a full one is kept. */
function tracesUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, "");
  return trimmed.endsWith("/v1/traces") ? trimmed : `${trimmed}/v1/traces`;
}

/**
 * Where spans go, or undefined for none: `telemetry.tracing.endpoint` when `enabled`, else the standard
 * variables (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as is; OTEL_EXPORTER_OTLP_ENDPOINT, + `/v1/traces`);
 * `enabled` with neither is the local collector's default. OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none
 * turn export off whatever is set.
 */
export function tracesEndpoint(settings: TracingSettings, env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return undefined;
  if (settings.enabled && settings.endpoint) return tracesUrl(settings.endpoint);
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (specific) return specific;
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (general) return tracesUrl(general);
  return settings.enabled ? tracesUrl(defaultEndpoint) : undefined;
}

export type OtlpProtocol = "http/protobuf" | "http/json";

/**
 * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else protobuf (the specification's
 * default, and a third of JSON's serialising time per span). gRPC is refused rather than silently replaced.
 */
export function tracesProtocol(env: NodeJS.ProcessEnv): OtlpProtocol {
  const value = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "").trim();
  if (value === "" || value === "http/protobuf") return "http/protobuf";
  if (value === "http/json") return "http/json";
  throw new Error(
    `OTLP protocol \`${value}\` is not supported for traces; set OTEL_EXPORTER_OTLP_PROTOCOL to http/protobuf or http/json`,
  );
}

/**
 * Tracing as configured. The SDK is loaded only when spans are exported: without an exporter the gateway
 * makes ids for its headers and logs and nothing else.
 */
export async function createTracing(options: {
  settings: TracingSettings;
  env: NodeJS.ProcessEnv;
  providerType?: (providerId: string) => string | undefined;
}): Promise<Tracing> {
  const url = tracesEndpoint(options.settings, options.env);
  if (url === undefined) return idsOnlyTracing;
  const protocol = tracesProtocol(options.env);
  const { OTLPTraceExporter } =
    protocol === "http/json"
      ? await import("@opentelemetry/exporter-trace-otlp-http")
      : await import("@opentelemetry/exporter-trace-otlp-proto");
  const { exportingTracing } = await import("./tracing-export.js");
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  // Read from the gateway's environment (the SDK would read the process's).
  const delay = Number(options.env.OTEL_BSP_SCHEDULE_DELAY);
  return exportingTracing({
    exporter: new OTLPTraceExporter({ url }),
    ...(Number.isFinite(delay) && delay > 0 ? { scheduledDelayMillis: delay } : {}),
    serviceName: options.settings.serviceName,
    sampleRatio: options.settings.sampleRatio,
    serviceVersion: version,
    ...(options.providerType ? { providerType: options.providerType } : {}),
  });
}
