import { columnTypes, type Migration } from "./migration.js";

/**
 * One row per client request. Queries always take a time range, and often one actor, model or provider:
 * each of those filters has an index led by it and ending in time, so a day of one actor is a range scan
 * however many millions of rows the table holds; the time index serves the unfiltered sums, the newest-first
 * listing and retention. No foreign keys and no unique request id: events outlive actors, and a caller may
 * send its own `x-request-id`.
 */
export const usageEvents: Migration = {
  id: 3,
  name: "usage-events",
  sql(kind) {
    const { autoId } = columnTypes(kind);
    return `
CREATE TABLE usage_events (
  id ${autoId},
  time BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  trace_id TEXT,
  actor_id TEXT,
  token_id TEXT,
  feature TEXT,
  route TEXT NOT NULL,
  dialect TEXT NOT NULL,
  model_ref TEXT,
  provider_id TEXT,
  endpoint TEXT,
  credential TEXT,
  stream SMALLINT NOT NULL,
  status INTEGER NOT NULL,
  error_code TEXT,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cache_read_tokens BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL,
  latency_ms DOUBLE PRECISION NOT NULL,
  ttft_ms DOUBLE PRECISION,
  upstream_ms DOUBLE PRECISION,
  overhead_ms DOUBLE PRECISION
);
CREATE INDEX usage_events_time ON usage_events (time);
CREATE INDEX usage_events_actor_time ON usage_events (actor_id, time);
CREATE INDEX usage_events_model_time ON usage_events (model_ref, time);
CREATE INDEX usage_events_provider_time ON usage_events (provider_id, time);
`;
  },
};
