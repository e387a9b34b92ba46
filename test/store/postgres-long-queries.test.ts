import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/token.js";
import { openStore, type Store } from "../../src/store/index.js";
import { dropSchemas, postgresUrl, randomSchemaName, withClient, withSchema } from "./postgres.js";

/**
 * Review finding 6: `storage.queryTimeout` (5 s) bounds the request path's token lookups, and it also cut
 * admin reports and retention short. Those run as long queries (60 s). A table locked by another session
 * makes any query on it wait, so the test needs no large table: the store's timeout here is 300 ms and the
 * lock is held 1.5 s.
 */
const QUERY_TIMEOUT_MS = 300;
const HELD_MS = 1_500;

describe("Postgres: long queries (admin reports, retention) outlive storage.queryTimeout", () => {
  const schema = randomSchemaName();
  let store: Store;

  beforeAll(async () => {
    store = await openStore(withSchema(await postgresUrl(), schema), { queryTimeoutMs: QUERY_TIMEOUT_MS });
    await store.migrate();
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await dropSchemas([schema]);
  });

  let locked = false;

  /** Runs `work` while another session holds `table` exclusively for HELD_MS. */
  async function whileLocked<T>(table: string, work: () => Promise<T>): Promise<T> {
    return withClient(async (client: pg.Client) => {
      await client.query("BEGIN");
      await client.query(`LOCK TABLE "${schema}".${table} IN ACCESS EXCLUSIVE MODE`);
      locked = true;
      const released = new Promise<void>((resolve) => setTimeout(resolve, HELD_MS)).then(async () => {
        locked = false;
        await client.query("COMMIT");
      });
      try {
        return await work();
      } finally {
        await released;
      }
    });
  }

  const range = { from: new Date(0), to: new Date(Date.now() + 60_000) };

  it("a usage aggregate waits past the request path's timeout", async () => {
    const rows = await whileLocked("usage_events", () =>
      store.usageEvents.aggregate({ ...range, groupBy: [] }),
    );
    expect(rows).toEqual([expect.objectContaining({ requests: 0 })]);
  }, 30_000);

  it("a usage listing and a retention delete wait too", async () => {
    expect(await whileLocked("usage_events", () => store.usageEvents.list(range))).toEqual([]);
    expect(await whileLocked("usage_events", () => store.usageEvents.deleteOlderThan(new Date()))).toBe(0);
  }, 30_000);

  it("a token lookup (the request path) still fails at storage.queryTimeout", async () => {
    const failure = await whileLocked("tokens", () =>
      store.tokens.getByHash(hashToken("tg_any")).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    // 57014: query_canceled, the server's statement_timeout.
    expect(failure).toMatchObject({ code: "57014" });
  }, 30_000);

  it("waiting long queries do not hold the connections the request path's lookups need", async () => {
    const answeredWhileLocked = await whileLocked("usage_events", async () => {
      // More reports at once than the request path's pool has connections (5).
      const reports = Array.from({ length: 6 }, () => store.usageEvents.aggregate({ ...range, groupBy: [] }));
      expect(await store.tokens.getByHash(hashToken("tg_any"))).toBeUndefined();
      const answered = locked;
      await Promise.all(reports);
      return answered;
    });
    expect(answeredWhileLocked).toBe(true);
  }, 30_000);
});
