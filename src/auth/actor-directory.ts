import type { Logger } from "pino";
import type { ActorsSection } from "../config/schema/tollgate.js";
import { isStoreError, type Store } from "../store/index.js";
import { ThrottledWarning } from "../telemetry/throttled-warning.js";
import { type Actor, actorFromConfig, actorFromRecord } from "./actor.js";
import { type ChangeMessage, publishChange, subscribeChanges } from "./change-bus.js";
import { syncConfigActors } from "./config-actors.js";
import { LastUsedRecorder } from "./last-used.js";
import type { Authenticator, Principal } from "./principal.js";
import { readRevision } from "./revision.js";
import { HttpActorSource } from "./sources/http-source.js";
import { type RedisContext, SourceState, type SyncOutcome } from "./sources/source-state.js";
import { TokenHashCache } from "./token.js";

export interface ActorDirectoryOptions {
  store: Store;
  /** The config's `actors` section; replaced by `reload`. */
  actors: ActorsSection;
  /** Shared cache, change channel and sync lock; without it each replica polls and syncs alone. */
  redis?: RedisContext | undefined;
  logger?: Pick<Logger, "warn" | "info" | "debug" | "error"> | undefined;
  /** How often the store's change revision is read (default 500 ms). */
  pollIntervalMs?: number;
  /** How long an unknown token is remembered as unknown (default 5 s). */
  negativeTtlMs?: number;
  /** At most one `lastUsedAt` write per token per this interval (default 1 min). */
  lastUsedIntervalMs?: number;
  now?: () => number;
}

interface StoredToken {
  tokenId: string;
  expiresAt: number | null;
  principal: Principal;
}

/** Bounds memory spent remembering unknown tokens (someone may spray random ones). */
const MAX_NEGATIVE_ENTRIES = 10_000;

/**
 * Who is behind a token, from three sources: the config file's actors and tokens, the store's (admin
 * API, CLI), and external HTTP sources. Requests are answered from memory (synchronously); a miss
 * asks the store and then the sources, and only a definite "unknown" is remembered, briefly. A source
 * or store failure rejects, which the auth hook answers with 503: a paying user is never locked out by
 * an outage being cached as "no access".
 *
 * Changes anywhere reach every replica within a second: every change made through the CLI or admin API
 * bumps a revision in the store's settings, polled here every 500 ms (one tiny query, off the request
 * path); with Redis, revocations are also published for immediate effect.
 */
export class ActorDirectory implements Authenticator {
  private readonly tokenHashes = new TokenHashCache();
  private readonly pollWarning: ThrottledWarning;
  private readonly store: Store;
  private readonly redis: RedisContext | undefined;
  private readonly logger: ActorDirectoryOptions["logger"];
  private readonly now: () => number;
  private readonly pollIntervalMs: number;
  private readonly negativeTtlMs: number;
  private readonly lastUsed: LastUsedRecorder;

  private configActors = new Map<string, Actor>();
  private configTokens = new Map<string, Principal>();
  private storeTokens = new Map<string, StoredToken>();
  private sources: SourceState[] = [];
  private readonly negative = new Map<string, number>();
  /**
   * Tokens revoked here or by a change message, refused from memory until a reload from the store that began
   * after the revocation succeeds: a replica whose store is unreachable must not fall back to asking it (a 503)
   * or to a reload already in flight that still lists them.
   */
  private readonly revoked = new Set<string>();
  private readonly inFlight = new Map<string, Promise<Principal | undefined>>();
  /** Bumped whenever cached store data may be outdated; a miss started before a bump does not cache. */
  private generation = 0;
  private revision: string | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private unsubscribe: (() => Promise<void>) | undefined;
  private closed = false;
  private readonly followers: (() => Promise<void>)[] = [];

  constructor(private options: ActorDirectoryOptions) {
    this.store = options.store;
    this.redis = options.redis;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.negativeTtlMs = options.negativeTtlMs ?? 5_000;
    this.lastUsed = new LastUsedRecorder(this.store.tokens, options.lastUsedIntervalMs, options.logger);
    // The poll runs twice a second: a store outage is logged when it starts, then once a minute.
    this.pollWarning = new ThrottledWarning(options.logger, {
      failing: "cannot read the token revision; serving cached tokens",
      recovered: "the token revision is readable again",
    });
    this.applyConfig(options.actors);
  }

  /** Mirrors config actors into the store, loads tokens, subscribes to changes, starts pollers and syncs. */
  async start(): Promise<void> {
    await this.syncConfig(this.options.actors);
    this.revision = await readRevision(this.store.settings);
    await this.reloadFromStore();
    if (this.redis) {
      const subscription = subscribeChanges(this.redis, (message) => this.onMessage(message), this.logger);
      this.unsubscribe = subscription.close;
      await Promise.race([subscription.ready, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    }
    this.startSources();
    this.schedulePoll();
  }

  /**
   * Runs `reload` after every reload from the store (start, a revision change, a change message), so other
   * state kept beside tokens (provider keys) follows the same change bus and revision. Register before `start`.
   */
  follow(reload: () => Promise<void>): void {
    this.followers.push(reload);
  }

  /** Stops pollers, syncs and the subscription; flushes pending `lastUsedAt` writes. Does not close the store. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    await Promise.all(this.sources.map((source) => source.stop()));
    await this.unsubscribe?.();
    await this.reloading?.catch(() => undefined);
    await this.lastUsed.close();
  }

  /**
   * A new config (SIGHUP): config actors and tokens replaced, sources restarted (keeping their caches). The
   * store is written first: when it cannot be reached, this rejects with nothing changed.
   */
  async reload(actors: ActorsSection): Promise<void> {
    await this.syncConfig(actors);
    const previous = new Map(this.sources.map((source) => [source.id, source]));
    await Promise.all(this.sources.map((source) => source.stop()));
    this.options = { ...this.options, actors };
    this.applyConfig(actors);
    for (const source of this.sources) {
      const before = previous.get(source.id);
      if (before && before.source.config.url === source.source.config.url) source.inherit(before);
    }
    this.generation++;
    this.negative.clear();
    this.startSources();
    // The new config is in force; should the store fail now, the revision poll reloads its tokens later.
    await this.reloadFromStore().catch((error: unknown) =>
      this.logger?.warn({ err: error }, "cannot reload tokens after a config reload; the poll retries"),
    );
  }

  authenticate(token: string): Principal | undefined | Promise<Principal | undefined> {
    const hash = this.tokenHashes.hash(token);
    const result = this.authenticateCached(hash);
    return result === "miss" ? this.miss(hash) : result;
  }

  private authenticateCached(hash: string): Principal | undefined | "miss" {
    const fromConfig = this.configTokens.get(hash);
    if (fromConfig) return fromConfig;
    if (this.revoked.size > 0 && this.revoked.has(hash)) return undefined;
    const now = this.now();
    const stored = this.storeTokens.get(hash);
    if (stored) {
      if (stored.expiresAt !== null && stored.expiresAt <= now) return undefined;
      this.lastUsed.record(stored.tokenId, now);
      return stored.principal;
    }
    for (const source of this.sources) {
      const cached = source.find(hash);
      if (!cached) continue;
      // Stale: the source has not vouched for it within maxStaleness; ask again (503 if it is down).
      if (!source.isFresh(cached)) return "miss";
      return cached.actor.status === "active" ? externalPrincipal(cached.actor) : undefined;
    }
    const unknownUntil = this.negative.get(hash);
    if (unknownUntil !== undefined) {
      if (unknownUntil > now) return undefined;
      this.negative.delete(hash);
    }
    return "miss";
  }

  /** Answers from memory only, never asking the store or a source (a blocked client address, diagnostics). */
  cachedPrincipal(token: string): Principal | undefined {
    const result = this.authenticateCached(this.tokenHashes.peek(token));
    return result === "miss" ? undefined : result;
  }

  /**
   * Call after changing tokens or actors through `AccessAdmin` in this process: drops revoked tokens
   * at once, tells other replicas over Redis, and reloads from the store.
   */
  async changed(revokedHashes: readonly string[] = []): Promise<void> {
    this.dropTokens(revokedHashes);
    if (this.redis) {
      const message: ChangeMessage =
        revokedHashes.length > 0 ? { type: "revoked", hashes: [...revokedHashes] } : { type: "changed" };
      await publishChange(this.redis, message).catch((error: unknown) =>
        this.logger?.warn(
          { err: error },
          "cannot publish a token change; other replicas notice within a second",
        ),
      );
    }
    await this.refresh();
  }

  /** Reloads tokens and actors from the store now (the poller does this on every revision change). */
  refresh(): Promise<void> {
    this.generation++;
    this.negative.clear();
    return this.reloadFromStore();
  }

  /** One sync round of an external source now (tests, admin actions); see `SourceState.sync`. */
  async syncSource(id: string): Promise<SyncOutcome> {
    const source = this.sources.find((candidate) => candidate.id === id);
    if (!source) throw new Error(`no actor source \`${id}\``);
    return this.syncAndAnnounce(source);
  }

  /** Full-sync requests this replica sent to a source (tests, metrics). */
  syncRequests(id: string): number {
    return this.sources.find((source) => source.id === id)?.syncRequests ?? 0;
  }

  /** The actor with this id as the directory sees it (config first, then the store), or `undefined`. */
  async findActor(id: string): Promise<Actor | undefined> {
    const fromConfig = this.configActors.get(id);
    if (fromConfig) return fromConfig;
    const record = await this.store.actors.get(id);
    return record ? actorFromRecord(record) : undefined;
  }

  private applyConfig(actors: ActorsSection): void {
    const configActors = new Map<string, Actor>();
    const configTokens = new Map<string, Principal>();
    for (const entry of actors.list) {
      const actor = actorFromConfig(entry);
      configActors.set(actor.id, actor);
      if (actor.status !== "active") continue;
      entry.tokens.forEach((token, index) => {
        configTokens.set(token.sha256, principalFor(actor, `cfg:${actor.id}:${index}`));
      });
    }
    this.configActors = configActors;
    this.configTokens = configTokens;
    this.sources = actors.sources.map(
      (config) => new SourceState(new HttpActorSource(config), this.redis, this.logger, this.now),
    );
  }

  private async syncConfig(actors: ActorsSection): Promise<void> {
    try {
      await syncConfigActors(this.store, actors.list);
    } catch (error) {
      // Two replicas starting at once may race to create the same actor; the second try sees it.
      if (!isStoreError(error) || error.code !== "conflict") throw error;
      await syncConfigActors(this.store, actors.list);
    }
  }

  private startSources(): void {
    if (this.closed) return;
    for (const source of this.sources) {
      source.start((error) =>
        this.logger?.warn({ err: error, source: source.id }, "actor source round failed"),
      );
      void source.adopt().catch(() => undefined);
    }
  }

  private async syncAndAnnounce(source: SourceState): Promise<SyncOutcome> {
    const outcome = await source.sync();
    if (outcome === "synced" && this.redis) {
      await publishChange(this.redis, { type: "source-synced", source: source.id }).catch(() => undefined);
    }
    return outcome;
  }

  private miss(hash: string): Promise<Principal | undefined> {
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.lookUp(hash).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
    }
    return pending;
  }

  private async lookUp(hash: string): Promise<Principal | undefined> {
    const generation = this.generation;
    const now = this.now();
    const record = await this.store.tokens.findByHash(hash, new Date(now));
    if (record) {
      const actor = await this.findActor(record.actorId);
      if (actor?.status !== "active") return this.unknown(hash, generation);
      const stored: StoredToken = {
        tokenId: record.id,
        expiresAt: record.expiresAt?.getTime() ?? null,
        principal: principalFor(actor, record.id),
      };
      if (generation === this.generation) this.storeTokens.set(hash, stored);
      this.lastUsed.record(record.id, now);
      return stored.principal;
    }
    const failures: unknown[] = [];
    for (const source of this.sources) {
      try {
        const cached = await source.lookup(hash);
        if (!cached) continue;
        return cached.actor.status === "active" ? externalPrincipal(cached.actor) : undefined;
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      this.logger?.warn({ err: failures[0] }, "an actor source is unavailable; cannot verify a token");
      throw new Error("an actor source is unavailable", { cause: failures[0] });
    }
    return this.unknown(hash, generation);
  }

  private unknown(hash: string, generation: number): undefined {
    if (generation !== this.generation) return undefined;
    if (this.negative.size >= MAX_NEGATIVE_ENTRIES) this.negative.clear();
    this.negative.set(hash, this.now() + this.negativeTtlMs);
    return undefined;
  }

  private dropTokens(hashes: readonly string[]): void {
    this.generation++;
    this.negative.clear();
    if (hashes.length === 0) return;
    if (this.revoked.size + hashes.length > MAX_NEGATIVE_ENTRIES) this.revoked.clear();
    for (const hash of hashes) this.revoked.add(hash);
    const next = new Map(this.storeTokens);
    for (const hash of hashes) next.delete(hash);
    this.storeTokens = next;
  }

  /** Rebuilds the in-memory index of store tokens; concurrent calls coalesce into one more round. */
  private reloadFromStore(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          // Revocations known before this round's reads are in what it reads; later ones stay held.
          const settled = [...this.revoked];
          const now = new Date(this.now());
          const [tokens, records] = await Promise.all([
            this.store.tokens.list({ activeOnly: true, now }),
            this.store.actors.list({ status: "active" }),
          ]);
          const actors = new Map(records.map((record) => [record.id, actorFromRecord(record)]));
          const next = new Map<string, StoredToken>();
          for (const token of tokens) {
            const actor = this.configActors.get(token.actorId) ?? actors.get(token.actorId);
            if (actor?.status !== "active") continue;
            next.set(token.tokenHash, {
              tokenId: token.id,
              expiresAt: token.expiresAt?.getTime() ?? null,
              principal: principalFor(actor, token.id),
            });
          }
          this.storeTokens = next;
          for (const hash of settled) this.revoked.delete(hash);
          for (const follower of this.followers) await follower();
        } while (this.reloadAgain);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.poll()
        .then(
          () => this.pollWarning.success(),
          (error: unknown) => this.pollWarning.failure(error),
        )
        .finally(() => this.schedulePoll());
    }, this.pollIntervalMs);
    this.pollTimer.unref();
  }

  private async poll(): Promise<void> {
    const revision = await readRevision(this.store.settings);
    if (revision === this.revision) return;
    // Read before reloading: a change committed after this read bumps the revision again.
    this.generation++;
    this.negative.clear();
    await this.reloadFromStore();
    this.revision = revision;
  }

  private onMessage(message: ChangeMessage): void {
    if (message.type === "revoked") {
      this.dropTokens(message.hashes);
      void this.refresh().catch(() => undefined);
    } else if (message.type === "changed") {
      void this.refresh().catch(() => undefined);
    } else {
      const source = this.sources.find((candidate) => candidate.id === message.source);
      void source?.adopt().catch(() => undefined);
    }
  }
}

function principalFor(actor: Actor, tokenId: string): Principal {
  return Object.freeze({ actorId: actor.id, name: actor.name, role: actor.role, tokenId, actor });
}

const externalPrincipals = new WeakMap<Actor, Principal>();

/** External actors have no token ids of their own; one principal per actor object, reused. */
function externalPrincipal(actor: Actor): Principal {
  let principal = externalPrincipals.get(actor);
  if (!principal) {
    principal = principalFor(actor, `ext:${actor.sourceId}:${actor.id}`);
    externalPrincipals.set(actor, principal);
  }
  return principal;
}
