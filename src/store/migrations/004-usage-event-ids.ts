import type { Migration } from "./migration.js";

/**
 * Each usage event's own id, unique: a flush whose commit reached the database but whose answer was lost (a
 * connection reset at that moment) is retried, and the retry must not write the events a second time.
 * Events written before this migration have none (NULL is not a duplicate in either database).
 */
export const usageEventIds: Migration = {
  id: 4,
  name: "usage-event-ids",
  sql: () => `
ALTER TABLE usage_events ADD COLUMN event_id TEXT;
CREATE UNIQUE INDEX usage_events_event_id ON usage_events (event_id);
`,
};
