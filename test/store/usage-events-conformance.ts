import { describe, expect, it } from "vitest";
import type { Store, UsageEvent } from "../../src/store/index.js";

const T0 = Date.parse("2025-03-04T22:30:00.000Z");
const MINUTE = 60_000;

let events = 0;

export function usageEvent(fields: Partial<UsageEvent> = {}): UsageEvent {
  return {
    eventId: `evt-${++events}`,
    time: new Date(T0),
    requestId: "req",
    traceId: null,
    actorId: "alice",
    tokenId: "tok_a",
    feature: "chat",
    route: "/v1/chat/completions",
    dialect: "openai",
    modelRef: "openai::v1::gpt",
    providerId: "openai",
    endpoint: "https://api.openai.com",
    credential: "config",
    stream: false,
    status: 200,
    errorCode: null,
    inputTokens: 100,
    outputTokens: 10,
    cacheReadTokens: 1,
    cacheWriteTokens: 2,
    reasoningTokens: 3,
    costUsd: 0.25,
    latencyMs: 12.5,
    ttftMs: 10.25,
    upstreamMs: 9,
    overheadMs: 1.5,
    ...fields,
  };
}

/** Usage events behave the same on every store: sums, UTC buckets, ordering, filters, retention. */
export function describeUsageEventsConformance(migrated: () => Promise<Store>): void {
  describe("usage events", () => {
    const range = { from: new Date(T0 - 86_400_000), to: new Date(T0 + 86_400_000) };

    async function seeded(): Promise<Store> {
      const store = await migrated();
      await store.usageEvents.insertMany([
        usageEvent({ requestId: "a1" }),
        // 22:50 and 23:10: the same day, two hours; 00:10 the next day (UTC, whatever the server's zone).
        usageEvent({ requestId: "a2", time: new Date(T0 + 20 * MINUTE), status: 429, inputTokens: 0 }),
        usageEvent({ requestId: "b1", time: new Date(T0 + 40 * MINUTE), actorId: "bob", costUsd: 0.5 }),
        usageEvent({
          eventId: "evt-b2",
          requestId: "b2",
          time: new Date(T0 + 100 * MINUTE),
          actorId: "bob",
          modelRef: "anthropic::1::claude",
          providerId: "anthropic",
          status: 502,
          errorCode: "upstream_error",
          stream: true,
          ttftMs: null,
          upstreamMs: null,
          overheadMs: null,
        }),
        usageEvent({ requestId: "anon", actorId: null, tokenId: null, status: 401, inputTokens: 0 }),
      ]);
      return store;
    }

    it("writes events and reads them back whole, newest first", async () => {
      const store = await seeded();
      const events = await store.usageEvents.list({ ...range, limit: 3 });
      expect(events.map((event) => event.requestId)).toEqual(["b2", "b1", "a2"]);
      expect(events[0]).toEqual(
        usageEvent({
          eventId: "evt-b2",
          requestId: "b2",
          time: new Date(T0 + 100 * MINUTE),
          actorId: "bob",
          modelRef: "anthropic::1::claude",
          providerId: "anthropic",
          status: 502,
          errorCode: "upstream_error",
          stream: true,
          ttftMs: null,
          upstreamMs: null,
          overheadMs: null,
        }),
      );
    });

    it("writes a batch once however often it is retried (a flush whose answer was lost)", async () => {
      const store = await migrated();
      const batch = [
        usageEvent({ requestId: "x1" }),
        usageEvent({ requestId: "x2" }),
        usageEvent({ requestId: "x3" }),
      ];
      await store.usageEvents.insertMany(batch);
      await store.usageEvents.insertMany(batch);
      await store.usageEvents.insertMany([batch[1]!, usageEvent({ requestId: "x4" })]);
      const ids = (await store.usageEvents.list({ ...range })).map((event) => event.requestId).sort();
      expect(ids).toEqual(["x1", "x2", "x3", "x4"]);
    });

    it("filters by time range (to exclusive), actor, model, provider, feature and status", async () => {
      const store = await seeded();
      const ids = async (filter: object) =>
        (await store.usageEvents.list({ ...range, ...filter })).map((event) => event.requestId).sort();
      expect(await ids({ actorId: "bob" })).toEqual(["b1", "b2"]);
      expect(await ids({ modelRef: "anthropic::1::claude" })).toEqual(["b2"]);
      expect(await ids({ providerId: "openai", status: 429 })).toEqual(["a2"]);
      expect(await ids({ feature: "chat", from: new Date(T0), to: new Date(T0 + 40 * MINUTE) })).toEqual([
        "a1",
        "a2",
        "anon",
      ]);
    });

    it("sums every request, errors (status >= 400), tokens and cost per group", async () => {
      const store = await seeded();
      const rows = await store.usageEvents.aggregate({ ...range, groupBy: ["actor"] });
      expect(rows).toEqual([
        {
          keys: { actor: "alice" },
          requests: 2,
          errors: 1,
          inputTokens: 100,
          outputTokens: 20,
          cacheReadTokens: 2,
          cacheWriteTokens: 4,
          reasoningTokens: 6,
          costUsd: 0.5,
        },
        expect.objectContaining({ keys: { actor: "bob" }, requests: 2, errors: 1, costUsd: 0.75 }),
        // Refused before anyone was known: counted, nulls last.
        expect.objectContaining({ keys: { actor: null }, requests: 1, errors: 1, inputTokens: 0 }),
      ]);
    });

    it("buckets hours and days in UTC, the same on every store", async () => {
      const store = await seeded();
      const rows = await store.usageEvents.aggregate({ ...range, groupBy: ["day", "hour", "status"] });
      expect(rows.map((row) => [row.keys.day, row.keys.hour, row.keys.status, row.requests])).toEqual([
        ["2025-03-04T00:00:00.000Z", "2025-03-04T22:00:00.000Z", 200, 1],
        ["2025-03-04T00:00:00.000Z", "2025-03-04T22:00:00.000Z", 401, 1],
        ["2025-03-04T00:00:00.000Z", "2025-03-04T22:00:00.000Z", 429, 1],
        ["2025-03-04T00:00:00.000Z", "2025-03-04T23:00:00.000Z", 200, 1],
        ["2025-03-05T00:00:00.000Z", "2025-03-05T00:00:00.000Z", 502, 1],
      ]);
    });

    it("gives one row of totals without groups, zeros for an empty range", async () => {
      const store = await seeded();
      const [all] = await store.usageEvents.aggregate({ ...range, groupBy: [] });
      expect(all).toMatchObject({ keys: {}, requests: 5, errors: 3, inputTokens: 300 });
      expect(all!.costUsd).toBeCloseTo(1.5, 10);
      const empty = await store.usageEvents.aggregate({
        from: new Date(0),
        to: new Date(1000),
        groupBy: [],
      });
      expect(empty).toEqual([expect.objectContaining({ requests: 0, inputTokens: 0, costUsd: 0 })]);
      expect(
        await store.usageEvents.aggregate({ from: new Date(0), to: new Date(1), groupBy: ["model"] }),
      ).toEqual([]);
    });

    it("writes a batch larger than one statement's parameter limit", async () => {
      const store = await migrated();
      // 25 columns: SQLite takes 1,310 rows per statement, Postgres 2,621.
      const events = Array.from({ length: 3_000 }, (_, index) =>
        usageEvent({ requestId: `r${index}`, time: new Date(T0 + index) }),
      );
      await store.usageEvents.insertMany(events);
      const [all] = await store.usageEvents.aggregate({ ...range, groupBy: [] });
      expect(all!.requests).toBe(3_000);
      await store.usageEvents.insertMany([]);
    });

    it("deletes events older than a time, in batches", async () => {
      const store = await seeded();
      expect(await store.usageEvents.deleteOlderThan(new Date(T0 + 30 * MINUTE), 2)).toBe(3);
      const left = await store.usageEvents.list(range);
      expect(left.map((event) => event.requestId)).toEqual(["b2", "b1"]);
      expect(await store.usageEvents.deleteOlderThan(new Date(T0 + 30 * MINUTE), 2)).toBe(0);
    });

    it("refuses a list limit out of range", async () => {
      const store = await migrated();
      await expect(store.usageEvents.list({ ...range, limit: 0 })).rejects.toThrow(RangeError);
    });
  });
}
