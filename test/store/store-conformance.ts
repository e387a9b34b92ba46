import { afterEach, describe, expect, it } from "vitest";
import { type Migration, migrations, type Store, StoreError } from "../../src/store/index.js";
import { describeUsageEventsConformance } from "./usage-events-conformance.js";

/** One database per test, from which any number of stores (connections) can be opened. */
export interface StoreTarget {
  open(options?: { migrations?: readonly Migration[] }): Promise<Store>;
}

export interface StoreConformanceOptions {
  kind: Store["kind"];
  /** A fresh, empty database (not migrated). */
  createTarget(): Promise<StoreTarget>;
  /**
   * Whether stores opened from one target share its database, as processes do. Not for `sqlite::memory:`,
   * where every connection is a database of its own.
   */
  shared: boolean;
}

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);
const T0 = new Date("2025-01-02T03:04:05.678Z");
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

/**
 * The behaviour every Store implementation must have. Registered once per implementation (SQLite file,
 * SQLite memory, Postgres), so the two databases cannot drift apart.
 */
export function describeStoreConformance(label: string, options: StoreConformanceOptions): void {
  describe(`Store conformance: ${label}`, () => {
    const opened: Store[] = [];
    let target: StoreTarget;

    async function open(migrationList?: readonly Migration[]): Promise<Store> {
      target ??= await options.createTarget();
      const store = await target.open(migrationList === undefined ? {} : { migrations: migrationList });
      opened.push(store);
      return store;
    }

    async function migrated(): Promise<Store> {
      const store = await open();
      await store.migrate();
      return store;
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      target = undefined as unknown as StoreTarget;
    });

    describe("migrations", () => {
      it("applies every migration, in order, to a fresh database", async () => {
        const store = await open();
        const result = await store.migrate();
        expect(result.applied).toEqual(migrations.map(({ id, name }) => ({ id, name })));
        expect(result.version).toBe(migrations.at(-1)!.id);
        expect(await store.settings.list()).toEqual([]);
      });

      it("is a no-op when run again", async () => {
        const store = await migrated();
        await store.settings.set("kept", 1);
        const again = await store.migrate();
        expect(again).toEqual({ applied: [], version: migrations.at(-1)!.id });
        expect(await store.settings.get("kept")).toBe(1);
      });

      it("applies each migration once when one store migrates twice at the same time", async () => {
        const store = await open();
        const results = await Promise.all([store.migrate(), store.migrate()]);
        expect(results.flatMap((result) => result.applied)).toHaveLength(migrations.length);
      });

      it.skipIf(!options.shared)(
        "applies each migration once when two processes migrate at the same time",
        async () => {
          const [first, second] = [await open(), await open()];
          const results = await Promise.all([first.migrate(), second.migrate(), first.migrate()]);
          expect(results.flatMap((result) => result.applied)).toHaveLength(migrations.length);
          expect(results.map((result) => result.version)).toEqual(Array(3).fill(migrations.length));
          await first.actors.create({ id: "a", name: "A", role: "user", source: "database" });
          expect((await second.actors.get("a"))?.name).toBe("A");
        },
      );

      it.skipIf(!options.shared)("refuses a database migrated by a newer Tollgate", async () => {
        const future: Migration = {
          id: migrations.length + 1,
          name: "from-the-future",
          sql: () => "CREATE TABLE future_things (id TEXT PRIMARY KEY)",
        };
        const newer = await open([...migrations, future]);
        expect((await newer.migrate()).applied.at(-1)).toEqual({ id: future.id, name: future.name });

        const older = await open();
        const failure = await older.migrate().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(StoreError);
        expect((failure as StoreError).code).toBe("newer-schema");
        expect((failure as StoreError).message).toMatch(/from-the-future.*newer Tollgate/);
      });

      it("rolls back a failing migration entirely, recording nothing", async () => {
        const next = migrations.length + 1;
        const broken: Migration = {
          id: next,
          name: "broken",
          sql: () => "CREATE TABLE half_done (id TEXT PRIMARY KEY); INSERT INTO no_such_table VALUES (1);",
        };
        const store = await open([...migrations, broken]);
        const failure = await store.migrate().catch((error: unknown) => error);
        expect(failure).toMatchObject({ code: "migration-failed", message: expect.stringMatching(/broken/) });
        // Had half_done survived, or the migration been recorded, the retry would fail differently or pass.
        const retry = await store.migrate().catch((error: unknown) => error);
        expect(retry).toMatchObject({
          code: "migration-failed",
          message: expect.stringMatching(/no_such_table/),
        });
        // The migrations before the broken one stay applied.
        await store.settings.set("usable", true);
        expect(await store.settings.get("usable")).toBe(true);
        if (options.shared) {
          const fixed: Migration = { id: next, name: "fixed", sql: () => "CREATE TABLE half_done (id TEXT)" };
          const repaired = await open([...migrations, fixed]);
          expect((await repaired.migrate()).applied).toEqual([{ id: next, name: "fixed" }]);
        }
      });
    });

    describe("settings", () => {
      it("round-trips JSON values of every kind", async () => {
        const store = await migrated();
        const values: Record<string, unknown> = {
          object: { nested: { list: [1, "two", null, true] }, unicode: "héllo ✓" },
          string: "plain",
          number: 12.5,
          array: ["a", "b"],
          boolean: false,
          empty: null,
        };
        for (const [key, value] of Object.entries(values)) await store.settings.set(key, value);
        for (const [key, value] of Object.entries(values))
          expect(await store.settings.get(key)).toEqual(value);
      });

      it("returns undefined for a missing key and rejects undefined values", async () => {
        const store = await migrated();
        expect(await store.settings.get("missing")).toBeUndefined();
        await expect(store.settings.set("bad", undefined)).rejects.toThrow(TypeError);
      });

      it("overwrites, lists by key and deletes", async () => {
        const store = await migrated();
        await store.settings.set("b", 1, at(0));
        await store.settings.set("a", { x: 1 }, at(1));
        await store.settings.set("b", 2, at(2));
        expect(await store.settings.list()).toEqual([
          { key: "a", value: { x: 1 }, updatedAt: at(1) },
          { key: "b", value: 2, updatedAt: at(2) },
        ]);
        expect(await store.settings.delete("a")).toBe(true);
        expect(await store.settings.delete("a")).toBe(false);
        expect(await store.settings.get("a")).toBeUndefined();
      });
    });

    describe("actors", () => {
      it("creates with defaults and reads back", async () => {
        const store = await migrated();
        const created = await store.actors.create({
          id: "team-a",
          name: "Team A",
          role: "user",
          source: "config",
          createdAt: T0,
        });
        expect(created).toEqual({
          id: "team-a",
          name: "Team A",
          role: "user",
          status: "active",
          allowedModels: null,
          limits: null,
          budget: null,
          source: "config",
          createdAt: T0,
          updatedAt: T0,
        });
        expect(await store.actors.get("team-a")).toEqual(created);
        expect(await store.actors.get("nobody")).toBeUndefined();
      });

      it("round-trips JSON columns into objects", async () => {
        const store = await migrated();
        const limits = {
          chat: { requests: 100, tokens: 200000, interval: "1m", concurrent: 8 },
          "*": { requests: 1.5 },
        };
        const budget = { usd: 50, period: "month", notes: ["ünïcode", { deep: [true, null] }] };
        await store.actors.create({
          id: "a",
          name: "A",
          role: "admin",
          source: "database",
          allowedModels: ["anthropic::*", "*::gpt-4o*"],
          limits,
          budget,
        });
        const actor = await store.actors.get("a");
        expect(actor?.allowedModels).toEqual(["anthropic::*", "*::gpt-4o*"]);
        expect(actor?.limits).toEqual(limits);
        expect(actor?.budget).toEqual(budget);
      });

      it("refuses a duplicate id with a conflict", async () => {
        const store = await migrated();
        await store.actors.create({ id: "a", name: "A", role: "user", source: "database" });
        const failure = store.actors.create({ id: "a", name: "Again", role: "user", source: "database" });
        await expect(failure).rejects.toMatchObject({
          code: "conflict",
          message: expect.stringContaining('"a"'),
        });
      });

      it("creates if absent: undefined for a taken id, and the transaction goes on", async () => {
        const store = await migrated();
        await store.actors.create({ id: "a", name: "A", role: "user", source: "database" });
        const created = await store.transaction(async (tx) => {
          expect(
            await tx.actors.createIfAbsent({ id: "a", name: "Again", role: "admin", source: "database" }),
          ).toBe(undefined);
          // On Postgres a failed INSERT would have aborted the transaction; this one must still work.
          return tx.actors.createIfAbsent({ id: "b", name: "B", role: "user", source: "database" });
        });
        expect(created).toMatchObject({ id: "b", name: "B" });
        expect((await store.actors.get("a"))?.name).toBe("A");
      });

      it("lists by role, and with a lock inside a transaction", async () => {
        const store = await migrated();
        await store.actors.create({ id: "r", name: "R", role: "admin", source: "database" });
        await store.actors.create({ id: "s", name: "S", role: "user", source: "database" });
        await store.actors.create({
          id: "t",
          name: "T",
          role: "admin",
          source: "config",
          status: "disabled",
        });
        const ids = (list: { id: string }[]) => list.map((actor) => actor.id);
        expect(ids(await store.actors.list({ role: "admin" }))).toEqual(["r", "t"]);
        const locked = await store.transaction(async (tx) =>
          ids(await tx.actors.list({ role: "admin", status: "active", lock: true })),
        );
        expect(locked).toEqual(["r"]);
      });

      it("lists by id, filtered by source and status", async () => {
        const store = await migrated();
        await store.actors.create({ id: "c", name: "C", role: "user", source: "config" });
        await store.actors.create({
          id: "a",
          name: "A",
          role: "user",
          source: "database",
          status: "disabled",
        });
        await store.actors.create({ id: "b", name: "B", role: "readonly", source: "config" });
        const ids = (list: { id: string }[]) => list.map((actor) => actor.id);
        expect(ids(await store.actors.list())).toEqual(["a", "b", "c"]);
        expect(ids(await store.actors.list({ source: "config" }))).toEqual(["b", "c"]);
        expect(ids(await store.actors.list({ status: "disabled" }))).toEqual(["a"]);
        expect(ids(await store.actors.list({ source: "config", status: "disabled" }))).toEqual([]);
      });

      it("updates only the fields given, and null clears a JSON field", async () => {
        const store = await migrated();
        await store.actors.create({
          id: "a",
          name: "A",
          role: "user",
          source: "database",
          allowedModels: ["x::*"],
          budget: { usd: 5, period: "day" },
          createdAt: T0,
        });
        const updated = await store.actors.update("a", { name: "Renamed", allowedModels: null }, at(1000));
        expect(updated).toMatchObject({
          name: "Renamed",
          role: "user",
          allowedModels: null,
          budget: { usd: 5, period: "day" },
          createdAt: T0,
          updatedAt: at(1000),
        });
        const disabled = await store.actors.update(
          "a",
          { status: "disabled", limits: { chat: {} } },
          at(2000),
        );
        expect(disabled).toMatchObject({ status: "disabled", limits: { chat: {} }, name: "Renamed" });
        expect(await store.actors.get("a")).toEqual(disabled);
        expect(await store.actors.update("missing", { name: "x" })).toBeUndefined();
      });

      it("deletes, cascading to the actor's tokens", async () => {
        const store = await migrated();
        await store.actors.create({ id: "a", name: "A", role: "user", source: "database" });
        await store.actors.create({ id: "b", name: "B", role: "user", source: "database" });
        await store.tokens.create({
          id: "tok_a",
          actorId: "a",
          name: "t",
          tokenHash: HASH_A,
          tokenHint: "aaaa",
        });
        await store.tokens.create({
          id: "tok_b",
          actorId: "b",
          name: "t",
          tokenHash: HASH_B,
          tokenHint: "bbbb",
        });
        expect(await store.actors.delete("a")).toBe(true);
        expect(await store.actors.delete("a")).toBe(false);
        expect(await store.tokens.get("tok_a")).toBeUndefined();
        expect(await store.tokens.findByHash(HASH_A)).toBeUndefined();
        expect((await store.tokens.list()).map((token) => token.id)).toEqual(["tok_b"]);
      });
    });

    describe("tokens", () => {
      async function withActor(): Promise<Store> {
        const store = await migrated();
        await store.actors.create({ id: "a", name: "A", role: "user", source: "database" });
        await store.actors.create({ id: "b", name: "B", role: "user", source: "database" });
        return store;
      }

      it("creates with a generated tok_ id and reads back by id and hash", async () => {
        const store = await withActor();
        const token = await store.tokens.create({
          actorId: "a",
          name: "laptop",
          tokenHash: HASH_A,
          tokenHint: "wxyz",
          createdAt: T0,
        });
        expect(token).toEqual({
          id: expect.stringMatching(/^tok_[0-9a-f]{24}$/),
          actorId: "a",
          name: "laptop",
          tokenHash: HASH_A,
          tokenHint: "wxyz",
          createdAt: T0,
          expiresAt: null,
          revokedAt: null,
          lastUsedAt: null,
        });
        expect(await store.tokens.get(token.id)).toEqual(token);
        expect(await store.tokens.findByHash(HASH_A)).toEqual(token);
        expect(await store.tokens.findByHash(HASH_B)).toBeUndefined();
        expect(await store.tokens.get("tok_missing")).toBeUndefined();
        await store.tokens.revoke(token.id, T0);
        expect(await store.tokens.findByHash(HASH_A)).toBeUndefined();
        expect(await store.tokens.getByHash(HASH_A)).toMatchObject({ id: token.id, revokedAt: T0 });
        expect(await store.tokens.getByHash(HASH_B)).toBeUndefined();
      });

      it("refuses a duplicate hash (conflict) and an unknown actor (missing-reference)", async () => {
        const store = await withActor();
        await store.tokens.create({ actorId: "a", name: "one", tokenHash: HASH_A, tokenHint: "aaaa" });
        await expect(
          store.tokens.create({ actorId: "b", name: "two", tokenHash: HASH_A, tokenHint: "aaaa" }),
        ).rejects.toMatchObject({ code: "conflict" });
        await expect(
          store.tokens.create({ actorId: "ghost", name: "three", tokenHash: HASH_B, tokenHint: "bbbb" }),
        ).rejects.toMatchObject({ code: "missing-reference", message: expect.stringContaining("ghost") });
        expect(await store.tokens.list()).toHaveLength(1);
      });

      it("finds by hash only tokens neither revoked nor expired", async () => {
        const store = await withActor();
        const expiring = await store.tokens.create({
          actorId: "a",
          name: "expiring",
          tokenHash: HASH_A,
          tokenHint: "aaaa",
          expiresAt: at(60_000),
        });
        await store.tokens.create({
          id: "tok_r",
          actorId: "a",
          name: "r",
          tokenHash: HASH_B,
          tokenHint: "bbbb",
        });
        expect((await store.tokens.findByHash(HASH_A, at(59_999)))?.id).toBe(expiring.id);
        expect(await store.tokens.findByHash(HASH_A, at(60_000))).toBeUndefined();

        expect(await store.tokens.revoke("tok_r", at(5))).toBe(true);
        expect(await store.tokens.revoke("tok_r", at(6))).toBe(false);
        expect(await store.tokens.revoke("tok_unknown")).toBe(false);
        expect(await store.tokens.findByHash(HASH_B, at(0))).toBeUndefined();
        expect((await store.tokens.get("tok_r"))?.revokedAt).toEqual(at(5));
      });

      it("lists all tokens, by actor, or only the active ones", async () => {
        const store = await withActor();
        const make = (id: string, actorId: string, offset: number, expiresAt: Date | null = null) =>
          store.tokens.create({
            id,
            actorId,
            name: id,
            tokenHash: id.padEnd(64, "0"),
            tokenHint: id.slice(-4),
            createdAt: at(offset),
            expiresAt,
          });
        await make("tok_3", "a", 3);
        await make("tok_1", "a", 1);
        await make("tok_2", "b", 2, at(100));
        await make("tok_4", "a", 4);
        await store.tokens.revoke("tok_4", at(10));
        const ids = (list: { id: string }[]) => list.map((token) => token.id);
        expect(ids(await store.tokens.list())).toEqual(["tok_1", "tok_2", "tok_3", "tok_4"]);
        expect(ids(await store.tokens.list({ actorId: "a" }))).toEqual(["tok_1", "tok_3", "tok_4"]);
        expect(ids(await store.tokens.list({ activeOnly: true, now: at(50) }))).toEqual([
          "tok_1",
          "tok_2",
          "tok_3",
        ]);
        expect(ids(await store.tokens.list({ activeOnly: true, now: at(100) }))).toEqual(["tok_1", "tok_3"]);
        expect(ids(await store.tokens.list({ actorId: "b", activeOnly: true, now: at(100) }))).toEqual([]);
      });

      it("moves lastUsedAt forward only", async () => {
        const store = await withActor();
        const { id } = await store.tokens.create({
          actorId: "a",
          name: "t",
          tokenHash: HASH_A,
          tokenHint: "aaaa",
        });
        await store.tokens.touchLastUsed(id, at(2000));
        expect((await store.tokens.get(id))?.lastUsedAt).toEqual(at(2000));
        await store.tokens.touchLastUsed(id, at(1000));
        expect((await store.tokens.get(id))?.lastUsedAt).toEqual(at(2000));
        await store.tokens.touchLastUsed(id, at(3000));
        expect((await store.tokens.get(id))?.lastUsedAt).toEqual(at(3000));
        await store.tokens.touchLastUsed("tok_unknown", at(3000));
      });

      it("deletes expired tokens only", async () => {
        const store = await withActor();
        await store.tokens.create({
          id: "tok_old",
          actorId: "a",
          name: "o",
          tokenHash: HASH_A,
          tokenHint: "aaaa",
          expiresAt: at(10),
        });
        await store.tokens.create({
          id: "tok_new",
          actorId: "a",
          name: "n",
          tokenHash: HASH_B,
          tokenHint: "bbbb",
          expiresAt: at(20),
        });
        await store.tokens.create({
          id: "tok_ever",
          actorId: "a",
          name: "e",
          tokenHash: "c".repeat(64),
          tokenHint: "cccc",
        });
        expect(await store.tokens.deleteExpired(at(10))).toBe(1);
        expect(await store.tokens.deleteExpired(at(10))).toBe(0);
        expect((await store.tokens.list()).map((token) => token.id).sort()).toEqual(["tok_ever", "tok_new"]);
      });
    });

    describe("audit log", () => {
      it("appends entries and lists them newest first", async () => {
        const store = await migrated();
        const first = await store.audit.append({
          at: T0,
          actorId: "admin",
          action: "token-create",
          target: "tok_1",
          details: { name: "laptop", nested: { list: [1, 2] } },
        });
        expect(first).toEqual({
          id: expect.any(Number),
          at: T0,
          actorId: "admin",
          action: "token-create",
          target: "tok_1",
          details: { name: "laptop", nested: { list: [1, 2] } },
        });
        const second = await store.audit.append({ actorId: null, action: "config-load" });
        expect(second).toMatchObject({ actorId: null, target: null, details: null });
        expect(second.id).toBeGreaterThan(first.id);
        const third = await store.audit.append({
          actorId: "admin",
          action: "actor-delete",
          target: "team-a",
        });
        expect(await store.audit.list()).toEqual([third, second, first]);
      });

      it("pages with limit and beforeId, and filters by actor", async () => {
        const store = await migrated();
        const entries = [];
        for (let index = 0; index < 5; index++) {
          entries.push(
            await store.audit.append({ actorId: index % 2 === 0 ? "even" : "odd", action: `act-${index}` }),
          );
        }
        const ids = (list: { id: number }[]) => list.map((entry) => entry.id);
        expect(ids(await store.audit.list({ limit: 2 }))).toEqual([entries[4]!.id, entries[3]!.id]);
        expect(ids(await store.audit.list({ limit: 2, beforeId: entries[3]!.id }))).toEqual([
          entries[2]!.id,
          entries[1]!.id,
        ]);
        expect(ids(await store.audit.list({ actorId: "odd" }))).toEqual([entries[3]!.id, entries[1]!.id]);
        await expect(store.audit.list({ limit: 0 })).rejects.toThrow(RangeError);
        await expect(store.audit.list({ limit: 1001 })).rejects.toThrow(RangeError);
      });

      it("filters by action, target and time (from inclusive, to exclusive), combined with paging", async () => {
        const store = await migrated();
        const append = (offset: number, action: string, target: string) =>
          store.audit.append({ at: at(offset), actorId: "admin", action, target });
        const a = await append(0, "token-create", "tok_1");
        const b = await append(1000, "token-revoke", "tok_1");
        const c = await append(2000, "token-create", "tok_2");
        const d = await append(3000, "actor-create", "team-a");
        const ids = (list: { id: number }[]) => list.map((entry) => entry.id);
        expect(ids(await store.audit.list({ action: "token-create" }))).toEqual([c.id, a.id]);
        expect(ids(await store.audit.list({ target: "tok_1" }))).toEqual([b.id, a.id]);
        expect(ids(await store.audit.list({ from: at(1000), to: at(3000) }))).toEqual([c.id, b.id]);
        expect(ids(await store.audit.list({ action: "token-create", target: "tok_2" }))).toEqual([c.id]);
        expect(ids(await store.audit.list({ to: at(4000), beforeId: d.id, limit: 1 }))).toEqual([c.id]);
        expect(await store.audit.list({ action: "nothing" })).toEqual([]);
      });
    });

    describe("provider keys", () => {
      // Opaque to the store: what secret-box.ts would produce, but any text round-trips.
      const sealed = (tag: string) => ({
        keyId: `key-${tag}`,
        nonce: `nonce-${tag}`,
        ciphertext: `cipher-${tag}`,
      });
      const put = (store: Store, actorId: string | null, providerId: string, tag: string, offset = 0) =>
        store.providerKeys.put({
          actorId,
          providerId,
          secret: sealed(tag),
          hint: tag.slice(-4),
          at: at(offset),
        });

      it("puts and gets a central key and an actor's own key, apart", async () => {
        const store = await migrated();
        const central = await put(store, null, "openai", "central");
        expect(central).toEqual({
          actorId: null,
          providerId: "openai",
          secret: sealed("central"),
          hint: "tral",
          createdAt: T0,
          updatedAt: T0,
        });
        await put(store, "alice", "openai", "alice");
        expect(await store.providerKeys.get(null, "openai")).toEqual(central);
        expect((await store.providerKeys.get("alice", "openai"))?.secret).toEqual(sealed("alice"));
        expect(await store.providerKeys.get("bob", "openai")).toBeUndefined();
        expect(await store.providerKeys.get(null, "anthropic")).toBeUndefined();
      });

      it("replaces a key in place, keeping createdAt", async () => {
        const store = await migrated();
        await put(store, "alice", "openai", "first", 0);
        const replaced = await put(store, "alice", "openai", "second", 5_000);
        expect(replaced).toMatchObject({
          secret: sealed("second"),
          hint: "cond",
          createdAt: T0,
          updatedAt: at(5_000),
        });
        expect(await store.providerKeys.list()).toEqual([replaced]);
      });

      it("lists every key by owner (central first) then provider, or one owner's", async () => {
        const store = await migrated();
        await put(store, "bob", "openai", "b1");
        await put(store, null, "openai", "c1");
        await put(store, "alice", "openai", "a1");
        await put(store, "alice", "anthropic", "a2");
        await put(store, null, "anthropic", "c2");
        const owners = (list: { actorId: string | null; providerId: string }[]) =>
          list.map((key) => `${key.actorId ?? "central"}/${key.providerId}`);
        expect(owners(await store.providerKeys.list())).toEqual([
          "central/anthropic",
          "central/openai",
          "alice/anthropic",
          "alice/openai",
          "bob/openai",
        ]);
        expect(owners(await store.providerKeys.list({ actorId: null }))).toEqual([
          "central/anthropic",
          "central/openai",
        ]);
        expect(owners(await store.providerKeys.list({ actorId: "alice" }))).toEqual([
          "alice/anthropic",
          "alice/openai",
        ]);
        expect(await store.providerKeys.list({ actorId: "nobody" })).toEqual([]);
        await expect(store.providerKeys.list({ actorId: "" })).rejects.toThrow(RangeError);
      });

      it("deletes one key, and all of an actor's own keys (never the central ones)", async () => {
        const store = await migrated();
        await put(store, null, "openai", "c1");
        await put(store, "alice", "openai", "a1");
        await put(store, "alice", "anthropic", "a2");
        await put(store, "bob", "openai", "b1");
        expect(await store.providerKeys.delete("bob", "openai")).toBe(true);
        expect(await store.providerKeys.delete("bob", "openai")).toBe(false);
        expect(await store.providerKeys.deleteForActor("alice")).toBe(2);
        expect(await store.providerKeys.deleteForActor("alice")).toBe(0);
        expect((await store.providerKeys.list()).map((key) => key.actorId)).toEqual([null]);
        expect(await store.providerKeys.delete(null, "openai")).toBe(true);
        expect(await store.providerKeys.list()).toEqual([]);
      });

      it("reseals a key's encrypted form, keeping its hint and times", async () => {
        const store = await migrated();
        await put(store, "alice", "openai", "old-one", 0);
        // Only while the stored form is still the one the rotation read.
        expect(await store.providerKeys.reseal("alice", "openai", sealed("other"), sealed("new"))).toBe(
          false,
        );
        expect(await store.providerKeys.reseal("alice", "openai", sealed("old-one"), sealed("new"))).toBe(
          true,
        );
        expect(await store.providerKeys.get("alice", "openai")).toEqual({
          actorId: "alice",
          providerId: "openai",
          secret: sealed("new"),
          hint: "-one",
          createdAt: T0,
          updatedAt: T0,
        });
        expect(await store.providerKeys.reseal(null, "openai", sealed("old-one"), sealed("x"))).toBe(false);
        expect(await store.providerKeys.list()).toHaveLength(1);
      });

      it("keeps a transaction's changes together, and rolls all of them back", async () => {
        const store = await migrated();
        await put(store, null, "openai", "c1");
        await put(store, "alice", "openai", "a1");
        const failure = store.transaction(async (tx) => {
          await tx.providerKeys.reseal(null, "openai", sealed("c1"), sealed("c2"));
          await tx.providerKeys.put({
            actorId: "bob",
            providerId: "openai",
            secret: sealed("b1"),
            hint: "b1",
          });
          await tx.providerKeys.deleteForActor("alice");
          expect(await tx.providerKeys.list()).toHaveLength(2);
          throw new Error("changed my mind");
        });
        await expect(failure).rejects.toThrow("changed my mind");
        expect((await store.providerKeys.list()).map((key) => key.secret)).toEqual([
          sealed("c1"),
          sealed("a1"),
        ]);

        await store.transaction(async (tx) => {
          await tx.providerKeys.reseal(null, "openai", sealed("c1"), sealed("c2"));
          await tx.providerKeys.reseal("alice", "openai", sealed("a1"), sealed("a2"));
        });
        expect((await store.providerKeys.list()).map((key) => key.secret)).toEqual([
          sealed("c2"),
          sealed("a2"),
        ]);
      });
    });

    describe("transactions", () => {
      it("commits every change together", async () => {
        const store = await migrated();
        const result = await store.transaction(async (tx) => {
          await tx.actors.create({ id: "a", name: "A", role: "user", source: "database" });
          await tx.tokens.create({
            id: "tok_a",
            actorId: "a",
            name: "t",
            tokenHash: HASH_A,
            tokenHint: "aaaa",
          });
          await tx.audit.append({ actorId: null, action: "actor-create", target: "a" });
          return "done";
        });
        expect(result).toBe("done");
        expect(await store.tokens.findByHash(HASH_A)).toMatchObject({ id: "tok_a", actorId: "a" });
        expect(await store.audit.list()).toHaveLength(1);
      });

      it("rolls back every change when the work throws", async () => {
        const store = await migrated();
        const failure = store.transaction(async (tx) => {
          await tx.actors.create({ id: "a", name: "A", role: "user", source: "database" });
          await tx.settings.set("k", "v");
          // A constraint error mid-way: the token hash clash below must undo the actor and the setting.
          await tx.tokens.create({
            id: "tok_1",
            actorId: "a",
            name: "t",
            tokenHash: HASH_A,
            tokenHint: "aaaa",
          });
          await tx.tokens.create({
            id: "tok_2",
            actorId: "a",
            name: "t",
            tokenHash: HASH_A,
            tokenHint: "aaaa",
          });
        });
        await expect(failure).rejects.toMatchObject({ code: "conflict" });
        expect(await store.actors.get("a")).toBeUndefined();
        expect(await store.settings.get("k")).toBeUndefined();
        // The store is still usable afterwards.
        await store.settings.set("k", "after");
        expect(await store.settings.get("k")).toBe("after");
      });

      it("refuses use of the store itself inside a transaction", async () => {
        const store = await migrated();
        const failure = store.transaction(async () => {
          await store.settings.get("k");
        });
        await expect(failure).rejects.toThrow(/use the tx it passes/);
        await store.settings.set("k", 1);
      });

      it("serialises concurrent transactions without losing writes", async () => {
        const store = await migrated();
        await store.settings.set("counter", 0);
        await Promise.all(
          Array.from({ length: 5 }, (_, index) =>
            store.transaction(async (tx) => {
              await tx.audit.append({ actorId: null, action: `tx-${index}` });
              await tx.settings.set(`key-${index}`, index);
            }),
          ),
        );
        expect(await store.audit.list()).toHaveLength(5);
        expect(await store.settings.list()).toHaveLength(6);
      });
    });

    describeUsageEventsConformance(migrated);

    describe("lifecycle", () => {
      it("answers ping, and refuses work after close", async () => {
        const store = await migrated();
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await store.close();
        await expect(store.ping()).rejects.toMatchObject({ code: "closed" });
        await expect(store.settings.get("k")).rejects.toMatchObject({ code: "closed" });
      });

      it("reports its kind", async () => {
        const store = await open();
        expect(store.kind).toBe(options.kind);
      });
    });
  });
}
