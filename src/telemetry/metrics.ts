import { type Aggregator, Counter, Gauge, Registry } from "prom-client";
import type { Catalogue } from "../config/index.js";
import type { FailMode, LimiterMetrics, LimiterOperation } from "../limits/outage.js";
import type { RequestObserver, RequestOutcome } from "../proxy/proxy-deps.js";
import type { MetricJson } from "./metrics-cluster.js";
import { CounterFamily, HistogramFamily } from "./metrics-families.js";
import { dependencyGauge, type HealthCheck } from "./metrics-health.js";
import { processMetricsJson, processMetricsText } from "./metrics-process.js";
import { type OutcomeFamilies, type Series, SeriesCache } from "./metrics-series.js";

export interface GatewayMetricsOptions {
  /** The running catalogue: model and provider labels are its refs and ids, anything else is "none". */
  catalogue: () => Catalogue;
  /** Adds an `actor` label to the request, token, cost and refusal counters (`telemetry.metrics.actorLabels`). */
  actorLabels?: boolean;
  /** Node process metrics (CPU, memory, event loop, GC), shared by every gateway in the process. */
  processMetrics?: boolean;
}

/** Seconds; LLM answers run from tens of milliseconds (count_tokens, embeddings) to minutes (long reasoning). */
const latencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** The gateway's own share: well under a millisecond when all is well. */
const overheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * Prometheus metrics of one gateway, in its own registry (tests and several gateways in one process do not
 * clash). Fed by the request's end (`observe`, once per outcome, after the answer), the upstream observer
 * (`upstreamStarted`) and the admission's refusals; gauges are read when scraped.
 */
export class GatewayMetrics implements RequestObserver, LimiterMetrics {
  readonly registry = new Registry();
  private readonly families: OutcomeFamilies;
  private readonly series: SeriesCache;
  private readonly refusals: Counter<string>;
  private readonly upstreamErrors: Counter<"provider" | "model" | "code">;
  private readonly degradedLimiter: Counter<"operation" | "mode">;
  private readonly actorLabels: boolean;
  private readonly processMetrics: boolean;

  constructor(options: GatewayMetricsOptions) {
    this.actorLabels = options.actorLabels === true;
    this.processMetrics = options.processMetrics !== false;
    const registers = [this.registry];
    const registry = this.registry;
    const counter = (name: string, help: string) => new CounterFamily(name, help, registry);
    const histogram = (name: string, help: string, buckets = latencyBuckets) =>
      new HistogramFamily(name, help, buckets, registry);
    const families: OutcomeFamilies = {
      requests: counter(
        "tollgate_requests_total",
        "Client API requests by route, model, provider, feature and final status (refused and failed ones included).",
      ),
      duration: histogram("tollgate_request_duration_seconds", "Whole request, arrival to end."),
      timeToFirstToken: histogram(
        "tollgate_time_to_first_token_seconds",
        "Streams: arrival to the first event written to the client.",
      ),
      upstreamFirstByte: histogram(
        "tollgate_upstream_first_byte_seconds",
        "The upstream call handed over to the upstream's answer starting (status and headers).",
      ),
      upstreamDuration: histogram(
        "tollgate_upstream_duration_seconds",
        "The upstream call handed over to its answer read whole (streams: to the request's end).",
      ),
      overhead: histogram(
        "tollgate_gateway_overhead_seconds",
        "Time spent in the gateway: arrival to the upstream call, plus (whole answers) answer read to first byte to the client.",
        overheadBuckets,
      ),
      tokens: counter(
        "tollgate_tokens_total",
        "Tokens by kind: input (the whole prompt, cache included), output (reasoning included), cache_read, cache_write, reasoning.",
      ),
      cost: counter("tollgate_cost_usd_total", "Cost of requests in USD, from the model's pricing."),
    };
    this.families = families;
    this.series = new SeriesCache(options.catalogue, families, this.actorLabels);
    const series = this.series;
    new Gauge({
      name: "tollgate_concurrent_upstream_requests",
      help: "Upstream calls in flight, by provider and feature.",
      labelNames: ["provider", "feature"],
      registers,
      collect() {
        this.reset();
        for (const { labels, count } of series.inFlight()) this.set(labels, count);
      },
    });
    this.refusals = new Counter({
      name: "tollgate_limit_refusals_total",
      help: "Requests refused by a limit (429), by the limit: requests, tokens, concurrent or budget.",
      labelNames: this.actorLabels ? ["limit", "feature", "actor"] : ["limit", "feature"],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: "tollgate_upstream_errors_total",
      help: "Requests that ended in a provider's failure, by error code (upstream_error, upstream_timeout…).",
      labelNames: ["provider", "model", "code"],
      registers,
    });
    this.degradedLimiter = new Counter({
      name: "tollgate_limiter_degraded_total",
      help: "Limiter operations that could not reach Redis, by operation and fail mode.",
      labelNames: ["operation", "mode"],
      registers,
    });
  }

  /** The request's end: counts it, times its steps, adds its tokens and cost. Runs after the answer. */
  observe(outcome: RequestOutcome): void {
    const series = this.series.of(outcome);
    if (outcome.upstreamSentMs !== undefined) series.inFlight.count--;
    series.request(outcome.status).value++;
    observeTimes(this.families, series, outcome);
    const usage = outcome.usage;
    if (usage) {
      series.input.value += usage.inputTokens;
      series.output.value += usage.outputTokens;
      series.cacheRead.value += usage.cacheReadTokens;
      series.cacheWrite.value += usage.cacheWriteTokens;
      series.reasoning.value += usage.reasoningTokens ?? 0;
    }
    series.cost.value += outcome.costUsd ?? 0;
    const code = outcome.errorCode;
    if (code?.startsWith("upstream_"))
      this.upstreamErrors.inc({ provider: series.provider, model: series.model, code });
  }

  /** The request's call went upstream: counted in flight until its outcome reaches `observe`. */
  upstreamStarted(outcome: RequestOutcome): void {
    this.series.of(outcome).inFlight.count++;
  }

  /** A limit refused a request (admission's hook). */
  refused(limitName: string, feature: string, actorId: string | undefined): void {
    // Named as in the config (`concurrent`), where an operator sets it.
    const limit = limitName === "concurrency" ? "concurrent" : limitName;
    if (this.actorLabels) this.refusals.inc({ limit, feature, actor: actorId ?? "none" });
    else this.refusals.inc({ limit, feature });
  }

  degraded(operation: LimiterOperation, failMode: FailMode): void {
    this.degradedLimiter.inc({ operation, mode: failMode });
  }

  /**
   * A gauge read when scraped (`tollgate_` is prepended when missing): queue depths, pool sizes. `aggregator`:
   * how the primary of `serve --workers N` combines the workers' values: `sum` for a total of the replica,
   * `max` for a figure whose limit or alert threshold is per process (a queue's depth against its size).
   */
  gauge(name: string, help: string, aggregator: Aggregator, read: () => number): void {
    new Gauge({
      name: prefixed(name),
      help,
      aggregator,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A counter kept elsewhere (dropped events), read when scraped; `read` must never go down. */
  counter(name: string, help: string, read: () => number): void {
    new Counter({
      name: prefixed(name),
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  /** `tollgate_dependency_up{dependency}`: each check run at scrape time, 0 when it fails or is slow. */
  dependencies(checks: HealthCheck[], timeoutMs?: number): void {
    dependencyGauge(this.registry, checks, timeoutMs);
  }

  /** This gateway's and the process's metrics as prom-client's JSON (summed over workers by their primary). */
  async json(): Promise<MetricJson[]> {
    const own = await this.registry.getMetricsAsJSON();
    return this.processMetrics ? [...own, ...(await processMetricsJson())] : own;
  }

  /** The exposition text: this gateway's metrics, then the process's. */
  async text(): Promise<string> {
    const own = await this.registry.metrics();
    return this.processMetrics ? own + (await processMetricsText()) : own;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The outcome's marks are milliseconds from arrival; Prometheus wants seconds. */
function observeTimes(f: OutcomeFamilies, series: Series, outcome: RequestOutcome): void {
  f.duration.observe(series.duration, outcome.durationMs / 1000);
  const sent = outcome.upstreamSentMs;
  if (outcome.stream && outcome.clientFirstByteMs !== undefined)
    f.timeToFirstToken.observe(series.timeToFirstToken, outcome.clientFirstByteMs / 1000);
  if (sent === undefined) return;
  const firstByte = outcome.upstreamFirstByteMs;
  if (firstByte !== undefined)
    f.upstreamFirstByte.observe(series.upstreamFirstByte, (firstByte - sent) / 1000);
  const done = outcome.upstreamDoneMs;
  if (done !== undefined) {
    f.upstreamDuration.observe(series.upstreamDuration, (done - sent) / 1000);
    // A whole answer: what the gateway did after reading it (decode, translate, encode) is its overhead too.
    if (outcome.clientFirstByteMs !== undefined)
      f.overhead.observe(series.overhead, (sent + Math.max(0, outcome.clientFirstByteMs - done)) / 1000);
  } else if (outcome.stream && firstByte !== undefined) {
    // A stream's upstream part lasts until the request's end; per-event work cannot be told apart from it.
    f.upstreamDuration.observe(series.upstreamDuration, (outcome.durationMs - sent) / 1000);
    f.overhead.observe(series.overhead, sent / 1000);
  }
}

function prefixed(name: string): string {
  return name.startsWith("tollgate_") ? name : `tollgate_${name}`;
}
