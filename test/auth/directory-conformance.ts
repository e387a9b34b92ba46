import { afterEach, describe, expect, it } from "vitest";
import { AccessAdmin } from "../../src/auth/access-admin.js";
import { isModelAllowed } from "../../src/auth/actor.js";
import { ActorDirectory, type ActorDirectoryOptions } from "../../src/auth/actor-directory.js";
import type { Principal } from "../../src/auth/principal.js";
import { hashToken } from "../../src/auth/token.js";
import type { ActorConfig, ActorsSection } from "../../src/config/schema/tollgate.js";
import type { Store } from "../../src/store/index.js";
import { within } from "./redis.js";

/** A fresh, migrated database from which several stores (connections, like replicas) can be opened. */
export interface DirectoryTarget {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

export function configActor(id: string, token: string, extra: Partial<ActorConfig> = {}): ActorConfig {
  return { id, role: "user", status: "active", tokens: [{ sha256: hashToken(token) }], ...extra };
}

export function section(list: ActorConfig[] = []): ActorsSection {
  return { list, sources: [] };
}

function sync(result: ReturnType<ActorDirectory["authenticate"]>): Principal | undefined {
  if (result instanceof Promise) throw new Error("expected a synchronous answer (cache hit)");
  return result;
}

/** How an ActorDirectory behaves on top of any store; registered once per store kind. */
export function describeDirectoryConformance(
  label: string,
  createTarget: () => Promise<DirectoryTarget>,
): void {
  describe(`ActorDirectory conformance: ${label}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup(options: Partial<ActorDirectoryOptions> = {}) {
      const target = await createTarget();
      cleanups.push(() => target.cleanup());
      const store = await target.open();
      cleanups.push(() => store.close());
      const directory = new ActorDirectory({ store, actors: section(), pollIntervalMs: 50, ...options });
      await directory.start();
      cleanups.push(() => directory.close());
      return { target, store, directory, admin: new AccessAdmin(store) };
    }

    it("answers config tokens from memory with the resolved actor; mirrors config actors into the store", async () => {
      const { store, directory } = await setup({
        actors: section([
          configActor("team-a", "tg_team_a_token", {
            name: "Team A",
            allowedModels: ["anthropic::*"],
            limits: { chat: { requests: 10, interval: 60_000 } },
            budget: { usd: 5, period: "day" },
          }),
        ]),
      });
      const principal = sync(directory.authenticate("tg_team_a_token"));
      expect(principal).toMatchObject({ actorId: "team-a", name: "Team A", role: "user" });
      expect(principal!.actor!.limits).toEqual({ chat: { requests: 10, interval: 60_000 } });
      expect(principal!.actor!.budget).toEqual({ usd: 5, period: "day" });
      expect(isModelAllowed(principal!.actor!, "anthropic::2023-06-01::claude-sonnet-4")).toBe(true);
      expect(isModelAllowed(principal!.actor!, "openai::v1::gpt-4o")).toBe(false);
      const record = await store.actors.get("team-a");
      expect(record).toMatchObject({
        source: "config",
        name: "Team A",
        limits: { chat: { requests: 10, interval: "1m" } },
        allowedModels: ["anthropic::*"],
      });
    });

    it("a store token: found on a miss, then answered synchronously; unknown tokens are remembered briefly", async () => {
      let now = Date.now();
      // No poll: a poll landing between the creation and the lookup would answer it from memory, not as a miss.
      const { admin, directory } = await setup({
        now: () => now,
        negativeTtlMs: 1_000,
        pollIntervalMs: 60_000,
      });
      const created = await admin.createToken({ name: "ci", role: "user" }, null);
      const first = directory.authenticate(created.token);
      expect(first).toBeInstanceOf(Promise);
      expect(await first).toMatchObject({ actorId: created.actorId, tokenId: created.id });
      expect(sync(directory.authenticate(created.token))?.actor?.source).toBe("database");

      const unknown = directory.authenticate("tg_nobody");
      expect(unknown).toBeInstanceOf(Promise);
      expect(await unknown).toBeUndefined();
      expect(sync(directory.authenticate("tg_nobody"))).toBeUndefined();
      now += 1_001;
      expect(directory.authenticate("tg_nobody")).toBeInstanceOf(Promise);
    });

    it("refuses expired tokens in memory, and revoked ones at once in the replica that revoked", async () => {
      let now = Date.now();
      const { admin, directory, store } = await setup({ now: () => now });
      const admin2 = new AccessAdmin(store, () => new Date(now));
      const expiring = await admin2.createToken({ name: "short", expiresInMs: 60_000 }, null);
      const lasting = await admin.createToken({ name: "long" }, null);
      await directory.refresh();
      expect(sync(directory.authenticate(expiring.token))).toBeDefined();
      now += 60_000;
      expect(sync(directory.authenticate(expiring.token))).toBeUndefined();

      expect(sync(directory.authenticate(lasting.token))).toBeDefined();
      const { tokenHash } = await admin.revokeToken(lasting.id, null);
      await directory.changed([tokenHash]);
      expect(await directory.authenticate(lasting.token)).toBeUndefined();
    });

    it("notices a change made through another store connection via the revision poll", async () => {
      const { target, directory } = await setup({ pollIntervalMs: 100 });
      const other = await target.open();
      cleanups.push(() => other.close());
      const admin = new AccessAdmin(other);
      const created = await admin.createToken({ name: "elsewhere" }, null);
      await within(1_000, () => !(directory.authenticate(created.token) instanceof Promise));
      expect(sync(directory.authenticate(created.token))?.actorId).toBe(created.actorId);
      await admin.revokeToken(created.id, null);
      // Refused = the cached hit is gone (what a miss then finds in the store is checked below).
      await within(
        1_000,
        () =>
          directory.authenticate(created.token) === undefined ||
          directory.authenticate(created.token) instanceof Promise,
      );
      expect(await directory.authenticate(created.token)).toBeUndefined();
      // Disabling the actor refuses its tokens too.
      const second = await admin.createToken({ name: "disabled-later" }, null);
      await within(1_000, () => !(directory.authenticate(second.token) instanceof Promise));
      await admin.updateActor(second.actorId, { status: "disabled" }, null);
      await within(1_000, () => {
        const result = directory.authenticate(second.token);
        return result === undefined || result instanceof Promise;
      });
      expect(await directory.authenticate(second.token)).toBeUndefined();
    });

    it("config reload: removed tokens stop working, removed actors are disabled in the store", async () => {
      const { store, directory, admin } = await setup({
        actors: section([configActor("a", "tg_config_a"), configActor("b", "tg_config_b")]),
      });
      const extra = await admin.createToken({ name: "for b", actorId: "b" }, null);
      await directory.refresh();
      expect(sync(directory.authenticate(extra.token))?.actorId).toBe("b");
      await directory.reload(section([configActor("a", "tg_config_a_rotated")]));
      expect(directory.authenticate("tg_config_a")).toBeInstanceOf(Promise);
      expect(await directory.authenticate("tg_config_a")).toBeUndefined();
      expect(sync(directory.authenticate("tg_config_a_rotated"))?.actorId).toBe("a");
      expect(await directory.authenticate("tg_config_b")).toBeUndefined();
      expect(await directory.authenticate(extra.token)).toBeUndefined();
      expect((await store.actors.get("b"))?.status).toBe("disabled");
      const audit = await store.audit.list();
      expect(audit.map((entry) => entry.action)).toContain("config-actors-sync");
    });

    it("a store failure on a miss rejects (503) and is not cached", async () => {
      const { store, admin } = await setup();
      let down = true;
      const flaky: Store = {
        ...store,
        tokens: {
          ...store.tokens,
          findByHash: (hash, now) =>
            down ? Promise.reject(new Error("store down")) : store.tokens.findByHash(hash, now),
        },
      };
      const directory = new ActorDirectory({ store: flaky, actors: section(), pollIntervalMs: 60_000 });
      await directory.start();
      cleanups.push(() => directory.close());
      const created = await admin.createToken({ name: "late" }, null);
      await expect(directory.authenticate(created.token)).rejects.toThrow("store down");
      await expect(directory.authenticate(created.token)).rejects.toThrow("store down");
      down = false;
      expect(await directory.authenticate(created.token)).toMatchObject({ actorId: created.actorId });
    });

    it("records last use in the background, at most once per interval", async () => {
      const { store, admin, directory } = await setup({ lastUsedIntervalMs: 60_000 });
      const created = await admin.createToken({ name: "used" }, null);
      await directory.refresh();
      for (let index = 0; index < 100; index++) sync(directory.authenticate(created.token));
      await directory.close();
      const record = await store.tokens.get(created.id);
      expect(record?.lastUsedAt).not.toBeNull();
    });
  });
}
