import type { QueryOptions, SqlValue } from "../sql.js";
import type {
  UsageAggregateRow,
  UsageEvent,
  UsageEventsRepository,
  UsageFilter,
  UsageGroup,
} from "../usage-events.js";
import { type RepositoryContext, textOrNull, toDate, toMillis } from "./rows.js";

/** Event fields in column order; the table's columns are these names in snake_case. */
const FIELDS = [
  "time",
  "requestId",
  "traceId",
  "actorId",
  "tokenId",
  "feature",
  "route",
  "dialect",
  "modelRef",
  "providerId",
  "endpoint",
  "credential",
  "stream",
  "status",
  "errorCode",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "reasoningTokens",
  "costUsd",
  "latencyMs",
  "ttftMs",
  "upstreamMs",
  "overheadMs",
  "eventId",
] as const satisfies readonly (keyof UsageEvent)[];

const column = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const COLUMNS = FIELDS.map(column).join(", ");

const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;
const DEFAULT_DELETE_BATCH = 10_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Group expressions; buckets are integer arithmetic on epoch milliseconds, so both stores agree (UTC). */
const GROUP_SQL: Record<UsageGroup, string> = {
  actor: "actor_id",
  model: "model_ref",
  provider: "provider_id",
  feature: "feature",
  status: "status",
  hour: `(time / ${HOUR_MS}) * ${HOUR_MS}`,
  day: `(time / ${DAY_MS}) * ${DAY_MS}`,
};

const SUMS = `COUNT(*) AS requests,
  SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
  SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
  SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
  SUM(reasoning_tokens) AS reasoning_tokens, SUM(cost_usd) AS cost_usd`;

function toParameters(event: UsageEvent): SqlValue[] {
  return FIELDS.map((field) => {
    const value = event[field];
    if (value instanceof Date) return toMillis(value);
    if (typeof value === "boolean") return value ? 1 : 0;
    return value;
  });
}

function numberOrNull(value: unknown): number | null {
  return value == null ? null : Number(value);
}

function toEvent(row: Record<string, unknown>): UsageEvent {
  return {
    time: toDate(row.time),
    requestId: String(row.request_id),
    traceId: textOrNull(row.trace_id),
    actorId: textOrNull(row.actor_id),
    tokenId: textOrNull(row.token_id),
    feature: textOrNull(row.feature),
    route: String(row.route),
    dialect: String(row.dialect),
    modelRef: textOrNull(row.model_ref),
    providerId: textOrNull(row.provider_id),
    endpoint: textOrNull(row.endpoint),
    credential: textOrNull(row.credential),
    stream: Number(row.stream) === 1,
    status: Number(row.status),
    errorCode: textOrNull(row.error_code),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cacheReadTokens: Number(row.cache_read_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    costUsd: Number(row.cost_usd),
    latencyMs: Number(row.latency_ms),
    ttftMs: numberOrNull(row.ttft_ms),
    upstreamMs: numberOrNull(row.upstream_ms),
    overheadMs: numberOrNull(row.overhead_ms),
    // Last, so exports keep their columns' order. Events written before ids existed have none: their row id.
    eventId: row.event_id == null ? `row-${String(row.id)}` : String(row.event_id),
  };
}

/** `WHERE` for a filter; pushes its values onto `params`. */
function whereClause(filter: UsageFilter, params: SqlValue[]): string {
  const conditions: string[] = [];
  const add = (sql: string, value: SqlValue) => {
    params.push(value);
    conditions.push(sql.replace("?", `$${params.length}`));
  };
  add("time >= ?", toMillis(filter.from));
  add("time < ?", toMillis(filter.to));
  if (filter.actorId !== undefined) add("actor_id = ?", filter.actorId);
  if (filter.modelRef !== undefined) add("model_ref = ?", filter.modelRef);
  if (filter.providerId !== undefined) add("provider_id = ?", filter.providerId);
  if (filter.feature !== undefined) add("feature = ?", filter.feature);
  if (filter.status !== undefined) add("status = ?", filter.status);
  return `WHERE ${conditions.join(" AND ")}`;
}

function groupValue(group: UsageGroup, value: unknown): string | number | null {
  if (value == null) return null;
  if (group === "hour" || group === "day") return new Date(Number(value)).toISOString();
  if (group === "status") return Number(value);
  return String(value);
}

/** Nulls last, then plain code-point order: the databases' collations differ, this does not. */
function compareKeys(a: UsageAggregateRow, b: UsageAggregateRow, groups: readonly UsageGroup[]): number {
  for (const group of groups) {
    const left = a.keys[group] ?? null;
    const right = b.keys[group] ?? null;
    if (left === right) continue;
    if (left === null) return 1;
    if (right === null) return -1;
    return left < right ? -1 : 1;
  }
  return 0;
}

/** The largest statement size that fits, from 64 rows down by halves. */
function chunkRows(remaining: number): number {
  // 64 rows × 26 columns: far below SQLite's 32,766 and Postgres's 65,535 bound parameters.
  let rows = 64;
  while (rows > remaining) rows /= 2;
  return rows;
}

const insertStatements = new Map<number, string>();

function insertStatement(rows: number): string {
  let text = insertStatements.get(rows);
  if (text === undefined) {
    const tuples: string[] = [];
    for (let row = 0; row < rows; row++) {
      tuples.push(`(${FIELDS.map((_, index) => `$${row * FIELDS.length + index + 1}`).join(", ")})`);
    }
    // A retried batch whose first write did commit: its events are there already, and stay once.
    text = `INSERT INTO usage_events (${COLUMNS}) VALUES ${tuples.join(", ")} ON CONFLICT (event_id) DO NOTHING`;
    insertStatements.set(rows, text);
  }
  return text;
}

/** Reports over months of events and retention may take longer than the request path's lookups may wait. */
const LONG: QueryOptions = { long: true };

export function usageEventsRepository({ sql, bulkInsert }: RepositoryContext): UsageEventsRepository {
  return {
    // 64 rows take about half a millisecond on the thread that writes them.
    batchLimit: sql.kind === "sqlite" && bulkInsert === undefined ? 64 : undefined,

    async insertMany(events) {
      if (events.length === 0) return;
      if (bulkInsert) {
        await bulkInsert(insertStatement(1), events.map(toParameters));
        return;
      }
      // Statements of a few fixed sizes (64, 32, …, 1 rows): each text is prepared once and cached by the driver.
      // One statement per batch size would cache a new multi-megabyte statement for every size a timed flush
      // happens to carry (hundreds), which grew the gateway's memory by over 100 MB in the benchmark.
      let start = 0;
      while (start < events.length) {
        const rows = chunkRows(events.length - start);
        const params: SqlValue[] = [];
        for (let index = start; index < start + rows; index++) params.push(...toParameters(events[index]!));
        await sql.run(insertStatement(rows), params);
        start += rows;
      }
    },

    async aggregate(query) {
      const groups = [...new Set(query.groupBy)];
      const params: SqlValue[] = [];
      const where = whereClause(query, params);
      const selected = groups.map((group, index) => `${GROUP_SQL[group]} AS g${index}`);
      const groupBy =
        groups.length === 0 ? "" : `GROUP BY ${groups.map((_, index) => `g${index}`).join(", ")}`;
      const rows = await sql.query(
        `SELECT ${[...selected, SUMS].join(", ")} FROM usage_events ${where} ${groupBy}`,
        params,
        LONG,
      );
      const result = rows
        // With no group, an empty range still gives one row of zero sums (and NULLs for SUM).
        .filter((row) => Number(row.requests) > 0 || groups.length === 0)
        .map((row) => ({
          keys: Object.fromEntries(
            groups.map((group, index) => [group, groupValue(group, row[`g${index}`])]),
          ),
          requests: Number(row.requests),
          errors: Number(row.errors ?? 0),
          inputTokens: Number(row.input_tokens ?? 0),
          outputTokens: Number(row.output_tokens ?? 0),
          cacheReadTokens: Number(row.cache_read_tokens ?? 0),
          cacheWriteTokens: Number(row.cache_write_tokens ?? 0),
          reasoningTokens: Number(row.reasoning_tokens ?? 0),
          costUsd: Number(row.cost_usd ?? 0),
        }));
      return result.sort((a, b) => compareKeys(a, b, groups));
    },

    async list(query) {
      const limit = query.limit ?? DEFAULT_LIST_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new RangeError(`usage list limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
      }
      const params: SqlValue[] = [];
      const where = whereClause(query, params);
      params.push(limit);
      const rows = await sql.query(
        `SELECT id, ${COLUMNS} FROM usage_events ${where} ORDER BY time DESC, id DESC LIMIT $${params.length}`,
        params,
        LONG,
      );
      return rows.map(toEvent);
    },

    async deleteOlderThan(before, batchSize = DEFAULT_DELETE_BATCH) {
      let total = 0;
      for (;;) {
        // Small statements: a retention run never holds a long lock over the table writers append to.
        const deleted = await sql.run(
          `DELETE FROM usage_events WHERE id IN (SELECT id FROM usage_events WHERE time < $1 LIMIT $2)`,
          [toMillis(before), batchSize],
          LONG,
        );
        total += deleted;
        if (deleted < batchSize) return total;
      }
    },
  };
}
