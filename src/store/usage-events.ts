/**
 * Usage events as the store keeps them: one per client request, refused ones included (DESIGN §8 "Usage API").
 * The usage folder builds them from request outcomes; the store only writes, sums and lists them.
 */
export interface UsageEvent {
  /** When the request arrived. */
  readonly time: Date;
  readonly requestId: string;
  readonly traceId: string | null;
  readonly actorId: string | null;
  readonly tokenId: string | null;
  readonly feature: string | null;
  /** The client route's path (`/v1/messages`). */
  readonly route: string;
  /** The client dialect: `openai`, `anthropic` or `openai-responses`. */
  readonly dialect: string;
  readonly modelRef: string | null;
  readonly providerId: string | null;
  /** The upstream's origin only (a query may carry a key). */
  readonly endpoint: string | null;
  /** Whose credential the upstream call used (`config`, `stored`, `user`, …). */
  readonly credential: string | null;
  readonly stream: boolean;
  readonly status: number;
  readonly errorCode: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  readonly costUsd: number;
  /** Arrival to end. */
  readonly latencyMs: number;
  /** Arrival to the first bytes written to the client. */
  readonly ttftMs: number | null;
  /** The upstream's time to its first byte. */
  readonly upstreamMs: number | null;
  /** The gateway's own share of the latency; null when no upstream call was made. */
  readonly overheadMs: number | null;
  /** The event's own id (random), unique in the store: a retried write cannot record a request twice. */
  readonly eventId: string;
}

export const USAGE_GROUPS = ["actor", "model", "provider", "feature", "status", "hour", "day"] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** Which events: `from` inclusive, `to` exclusive; each filter narrows to one value. */
export interface UsageFilter {
  readonly from: Date;
  readonly to: Date;
  readonly actorId?: string;
  readonly modelRef?: string;
  readonly providerId?: string;
  readonly feature?: string;
  readonly status?: number;
}

export interface UsageAggregateQuery extends UsageFilter {
  readonly groupBy: readonly UsageGroup[];
}

export interface UsageListQuery extends UsageFilter {
  /** 1 to 1000, default 100. */
  readonly limit?: number;
}

export interface UsageTotals {
  readonly requests: number;
  /** Requests that ended with a status of 400 or more. */
  readonly errors: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  readonly costUsd: number;
}

/** One group's sums; `keys` holds a value (`hour`/`day`: the bucket's start, UTC) per requested group. */
export interface UsageAggregateRow extends UsageTotals {
  readonly keys: Partial<Record<UsageGroup, string | number | null>>;
}

export interface UsageEventsRepository {
  /**
   * Most events one `insertMany` should carry, when the write runs on the gateway's own thread (SQLite without
   * its writer thread: `:memory:`); undefined when it does not (Postgres, a SQLite file).
   */
  readonly batchLimit: number | undefined;
  /** Writes the events with one multi-row INSERT (several only past the database's parameter limit). */
  insertMany(events: readonly UsageEvent[]): Promise<void>;
  /** Sums per group, ordered by the group keys (nulls last); one row for all when `groupBy` is empty. */
  aggregate(query: UsageAggregateQuery): Promise<UsageAggregateRow[]>;
  /** Single events, newest first. */
  list(query: UsageListQuery): Promise<UsageEvent[]>;
  /** Deletes events older than `before`, `batchSize` rows per statement; how many. */
  deleteOlderThan(before: Date, batchSize?: number): Promise<number>;
}
