import type { Counter, Histogram } from "prom-client";
import type { Catalogue } from "../config/index.js";
import type { RequestOutcome } from "../proxy/outcome.js";

type Child = Counter.Internal;
type Timer = Histogram.Internal<string>;

export interface OutcomeMetrics {
  requests: Counter<string>;
  duration: Histogram<string>;
  timeToFirstToken: Histogram<string>;
  upstreamFirstByte: Histogram<string>;
  upstreamDuration: Histogram<string>;
  overhead: Histogram<string>;
  tokens: Counter<string>;
  cost: Counter<string>;
}

/** Upstream calls in flight for one provider and feature. */
interface InFlight {
  labels: { provider: string; feature: string };
  count: number;
}

/** The label children of one (route, model, provider, feature, stream, actor): bound once, reused per request. */
export interface Series {
  readonly model: string;
  readonly provider: string;
  request(status: number): Child;
  duration: Timer;
  timeToFirstToken: Timer;
  upstreamFirstByte: Timer;
  upstreamDuration: Timer;
  overhead: Timer;
  input: Child;
  output: Child;
  cacheRead: Child;
  cacheWrite: Child;
  reasoning: Child;
  cost: Child;
  inFlight: InFlight;
}

const none = "none";

/**
 * Label children per label tuple. prom-client's `labels()` validates and hashes its arguments on every call;
 * one string key and one Map lookup per request finds all of a request's children instead. Label values are
 * bounded: routes are the lane's, models and providers the catalogue's (anything else is "none"), statuses the
 * few HTTP ones, actors (when on) the configured ones.
 */
export class SeriesCache {
  private readonly cache = new Map<string, Series>();
  private readonly inFlightBy = new Map<string, InFlight>();

  constructor(
    private readonly catalogue: () => Catalogue,
    private readonly metrics: OutcomeMetrics,
  ) {}

  of(outcome: RequestOutcome, withActor: boolean): Series {
    const actor = withActor ? (outcome.actorId ?? none) : "";
    const key = `${outcome.route}\n${outcome.modelRef}\n${outcome.providerId}\n${outcome.feature}\n${outcome.stream}\n${actor}`;
    let series = this.cache.get(key);
    if (series === undefined) {
      series = this.create(outcome, withActor ? [actor] : []);
      this.cache.set(key, series);
    }
    return series;
  }

  /** The in-flight counts, for the gauge's scrape. */
  *inFlight(): Iterable<[InFlight["labels"], number]> {
    for (const entry of this.inFlightBy.values()) yield [entry.labels, entry.count];
  }

  private create(outcome: RequestOutcome, actor: string[]): Series {
    const catalogue = this.catalogue();
    const ref = outcome.modelRef;
    const model = ref !== undefined && catalogue.byRef(ref) ? ref : none;
    const id = outcome.providerId;
    const provider = id !== undefined && catalogue.provider(id) ? id : none;
    const feature = outcome.feature ?? none;
    const stream = String(outcome.stream);
    const m = this.metrics;
    const timer = (histogram: Histogram<string>) => histogram.labels(outcome.route, model, provider, stream);
    const tokens = (kind: string) => m.tokens.labels(model, provider, feature, kind, ...actor);
    const statuses = new Map<number, Child>();
    return {
      model,
      provider,
      request(status) {
        let child = statuses.get(status);
        if (child === undefined) {
          child = m.requests.labels(outcome.route, model, provider, feature, String(status), ...actor);
          statuses.set(status, child);
        }
        return child;
      },
      duration: timer(m.duration),
      timeToFirstToken: timer(m.timeToFirstToken),
      upstreamFirstByte: timer(m.upstreamFirstByte),
      upstreamDuration: timer(m.upstreamDuration),
      overhead: timer(m.overhead),
      input: tokens("input"),
      output: tokens("output"),
      cacheRead: tokens("cache_read"),
      cacheWrite: tokens("cache_write"),
      reasoning: tokens("reasoning"),
      cost: m.cost.labels(model, provider, feature, ...actor),
      inFlight: this.inFlightOf(provider, feature),
    };
  }

  private inFlightOf(provider: string, feature: string): InFlight {
    const key = `${provider}\n${feature}`;
    let entry = this.inFlightBy.get(key);
    if (entry === undefined) {
      entry = { labels: { provider, feature }, count: 0 };
      this.inFlightBy.set(key, entry);
    }
    return entry;
  }
}
