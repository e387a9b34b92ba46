import type { Catalogue } from "../config/index.js";
import type { RequestOutcome } from "../proxy/outcome.js";
import type { CounterCell, CounterFamily, HistogramCell, HistogramFamily } from "./metrics-families.js";

/** The families fed by a request's outcome. */
export interface OutcomeFamilies {
  requests: CounterFamily;
  duration: HistogramFamily;
  timeToFirstToken: HistogramFamily;
  upstreamFirstByte: HistogramFamily;
  upstreamDuration: HistogramFamily;
  overhead: HistogramFamily;
  tokens: CounterFamily;
  cost: CounterFamily;
}

/** Upstream calls in flight for one provider and feature. */
export interface InFlight {
  readonly labels: { provider: string; feature: string };
  count: number;
}

/** The series of one (route, model, provider, feature, stream, actor): made once, updated in place per request. */
export interface Series {
  readonly model: string;
  readonly provider: string;
  request(status: number): CounterCell;
  duration: HistogramCell;
  timeToFirstToken: HistogramCell;
  upstreamFirstByte: HistogramCell;
  upstreamDuration: HistogramCell;
  overhead: HistogramCell;
  input: CounterCell;
  output: CounterCell;
  cacheRead: CounterCell;
  cacheWrite: CounterCell;
  reasoning: CounterCell;
  cost: CounterCell;
  inFlight: InFlight;
}

const none = "none";

/**
 * A request's series, found with one string key and one Map lookup. Label values are bounded: routes are the
 * lane's, models and providers the catalogue's (anything else is "none"), statuses the few HTTP ones, actors
 * (when on) the configured ones.
 */
export class SeriesCache {
  private readonly cache = new Map<string, Series>();
  private readonly inFlightBy = new Map<string, InFlight>();

  constructor(
    private readonly catalogue: () => Catalogue,
    private readonly families: OutcomeFamilies,
    private readonly withActor: boolean,
  ) {}

  of(outcome: RequestOutcome): Series {
    const actor = this.withActor ? (outcome.actorId ?? none) : "";
    const key = `${outcome.route}\n${outcome.modelRef}\n${outcome.providerId}\n${outcome.feature}\n${outcome.stream}\n${actor}`;
    let series = this.cache.get(key);
    if (series === undefined) {
      series = this.create(outcome, actor);
      this.cache.set(key, series);
    }
    return series;
  }

  /** The in-flight counts, for the gauge's scrape. */
  inFlight(): Iterable<InFlight> {
    return this.inFlightBy.values();
  }

  private create(outcome: RequestOutcome, actorId: string): Series {
    const catalogue = this.catalogue();
    const ref = outcome.modelRef;
    const model = ref !== undefined && catalogue.byRef(ref) ? ref : none;
    const id = outcome.providerId;
    const provider = id !== undefined && catalogue.provider(id) ? id : none;
    const feature = outcome.feature ?? none;
    const route = outcome.route;
    const actor: Record<string, string> = this.withActor ? { actor: actorId } : {};
    const f = this.families;
    const timed = { route, model, provider, stream: String(outcome.stream) };
    const tokens = (kind: string) => f.tokens.cell({ model, provider, feature, kind, ...actor });
    const statuses = new Map<number, CounterCell>();
    return {
      model,
      provider,
      request(status) {
        let cell = statuses.get(status);
        if (cell === undefined) {
          cell = f.requests.cell({ route, model, provider, feature, status: String(status), ...actor });
          statuses.set(status, cell);
        }
        return cell;
      },
      duration: f.duration.cell(timed),
      timeToFirstToken: f.timeToFirstToken.cell(timed),
      upstreamFirstByte: f.upstreamFirstByte.cell(timed),
      upstreamDuration: f.upstreamDuration.cell(timed),
      overhead: f.overhead.cell(timed),
      input: tokens("input"),
      output: tokens("output"),
      cacheRead: tokens("cache_read"),
      cacheWrite: tokens("cache_write"),
      reasoning: tokens("reasoning"),
      cost: f.cost.cell({ model, provider, feature, ...actor }),
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
