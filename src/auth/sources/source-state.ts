import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { RedisClient } from "../../redis/redis-client.js";
import { type Actor, type ActorFields, makeActor } from "../actor.js";
import { type HttpActorSource, type SourceEntry, SourceError } from "./http-source.js";

export interface RedisContext {
  client: RedisClient;
  /** `redis.keyPrefix` (default `tollgate:`). */
  keyPrefix: string;
}

export interface CachedActor {
  actor: Actor;
  /** When the source last vouched for this token (a sync or a lookup), epoch ms. */
  fetchedAt: number;
}

export type SyncOutcome = "synced" | "adopted" | "skipped" | "failed";

interface StoredSnapshot {
  syncedAt: number;
  entries: { actor: ActorFields; tokens: string[] }[];
}

// Compare-and-delete: only the replica that holds the lock releases it.
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

function storable(actor: Actor): ActorFields {
  const { modelMatcher: _matcher, ...fields } = actor;
  return fields;
}

/**
 * One external source's actors, cached in memory (and in Redis when configured), with its periodic
 * full sync. Every token keeps the time the source last vouched for it; the directory uses an entry
 * only while that is within `maxStaleness`, so a source outage degrades slowly and visibly, and a
 * failure is never cached as "no access".
 */
export class SourceState {
  private byHash = new Map<string, CachedActor>();
  private lastSyncAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | undefined;
  private readonly owner = randomBytes(8).toString("hex");
  /** Full-sync requests this replica sent; for tests and metrics. */
  syncRequests = 0;

  constructor(
    readonly source: HttpActorSource,
    private readonly redis: RedisContext | undefined,
    private readonly logger: Pick<Logger, "warn" | "info" | "debug"> | undefined,
    private readonly now: () => number,
  ) {}

  get id(): string {
    return this.source.id;
  }

  get maxStaleness(): number {
    return this.source.config.maxStaleness;
  }

  /** The cached entry for a token hash, fresh or stale; the caller checks `fetchedAt`. */
  find(hash: string): CachedActor | undefined {
    return this.byHash.get(hash);
  }

  isFresh(entry: CachedActor): boolean {
    return this.now() - entry.fetchedAt <= this.maxStaleness;
  }

  /** Takes over another state's cache (a config reload that kept this source). */
  inherit(previous: SourceState): void {
    this.byHash = previous.byHash;
    this.lastSyncAt = previous.lastSyncAt;
  }

  /**
   * Asks the source about one token. Unreachable or answering nonsense: falls back to an entry
   * cached in Redis by any replica while it is within `maxStaleness`, else throws.
   */
  async lookup(hash: string): Promise<CachedActor | undefined> {
    let entry: SourceEntry | undefined;
    try {
      entry = await this.source.lookup(hash);
    } catch (error) {
      const cached = await this.readCachedLookup(hash).catch(() => undefined);
      if (cached && this.isFresh(cached)) {
        this.byHash.set(hash, cached);
        return cached;
      }
      throw error;
    }
    if (!entry) {
      this.byHash.delete(hash);
      return undefined;
    }
    const cached: CachedActor = { actor: entry.actor, fetchedAt: this.now() };
    this.byHash.set(hash, cached);
    if (this.redis) {
      const value = JSON.stringify({ actor: storable(entry.actor), fetchedAt: cached.fetchedAt });
      await this.redis.client
        .set(this.key(`token:${hash}`), value, "PX", this.maxStaleness)
        .catch((error: unknown) =>
          this.logger?.warn({ err: error, source: this.id }, "cannot cache an actor in Redis"),
        );
    }
    return cached;
  }

  /**
   * One sync round. With Redis, at most one replica asks the source per `syncInterval`: an attempt
   * marker (set after each attempt, expiring after the interval) tells the others to adopt the
   * shared snapshot instead, and a lock held only while syncing, released only by its owner, keeps
   * two replicas from syncing at once. Without Redis (or while it is down) every replica syncs itself.
   */
  async sync(): Promise<SyncOutcome> {
    if (!this.redis) return this.syncDirect();
    const { client } = this.redis;
    const lockKey = this.key("sync-lock");
    try {
      if (await client.exists(this.key("sync-attempted"))) return await this.adopt();
      const locked = await client.set(lockKey, this.owner, "PX", this.source.config.timeout + 5_000, "NX");
      if (locked !== "OK") return "skipped";
    } catch (error) {
      this.logger?.warn(
        { err: error, source: this.id },
        "Redis unavailable; syncing the actor source directly",
      );
      return this.syncDirect();
    }
    try {
      if (await client.exists(this.key("sync-attempted"))) return await this.adopt();
      const outcome = await this.syncDirect();
      await client.set(this.key("sync-attempted"), String(this.now()), "PX", this.source.config.syncInterval);
      if (outcome === "synced") {
        const snapshot: StoredSnapshot = {
          syncedAt: this.lastSyncAt,
          entries: this.snapshotEntries(),
        };
        await client.set(this.key("snapshot"), JSON.stringify(snapshot), "PX", this.maxStaleness);
      }
      return outcome;
    } finally {
      await client.eval(RELEASE, 1, lockKey, this.owner).catch(() => undefined);
    }
  }

  /** Loads the snapshot another replica wrote to Redis, when it is newer than ours. */
  async adopt(): Promise<SyncOutcome> {
    if (!this.redis) return "skipped";
    const text = await this.redis.client.get(this.key("snapshot"));
    if (text === null) return "skipped";
    const snapshot = JSON.parse(text) as StoredSnapshot;
    if (snapshot.syncedAt <= this.lastSyncAt) return "skipped";
    this.apply(
      snapshot.entries.map((entry) => ({ actor: makeActor(entry.actor), tokens: entry.tokens })),
      snapshot.syncedAt,
    );
    return "adopted";
  }

  /** Syncs every `syncInterval` (first round now) until `stop()`. */
  start(onError: (error: unknown) => void): void {
    const round = () => {
      this.round = this.sync()
        .catch(onError)
        .finally(() => {
          this.round = undefined;
          if (this.timer === undefined) return;
          this.timer = setTimeout(round, this.source.config.syncInterval);
          this.timer.unref();
        });
    };
    this.timer = setTimeout(round, 0);
    this.timer.unref();
  }

  /** Stops the periodic sync; resolves when a round in progress has finished. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  private async syncDirect(): Promise<SyncOutcome> {
    const startedAt = this.now();
    this.syncRequests++;
    try {
      const { entries, skipped } = await this.source.list();
      if (skipped.length > 0) {
        this.logger?.warn(
          { source: this.id, skipped },
          "actor source sent actors that do not parse; skipped them",
        );
      }
      this.apply(entries, startedAt);
      this.logger?.debug({ source: this.id, actors: entries.length }, "actor source synced");
      return "synced";
    } catch (error) {
      this.logger?.warn(
        { source: this.id, err: error instanceof SourceError ? error.message : error },
        "actor source sync failed; cached actors keep working until maxStaleness",
      );
      return "failed";
    }
  }

  /** A full sync is the whole truth as of `syncedAt`: tokens it omits are gone, except newer lookups. */
  private apply(entries: SourceEntry[], syncedAt: number): void {
    const next = new Map<string, CachedActor>();
    for (const [hash, cached] of this.byHash) if (cached.fetchedAt > syncedAt) next.set(hash, cached);
    for (const entry of entries) {
      const cached: CachedActor = { actor: entry.actor, fetchedAt: syncedAt };
      for (const hash of entry.tokens) if (!next.has(hash)) next.set(hash, cached);
    }
    this.byHash = next;
    this.lastSyncAt = syncedAt;
  }

  private snapshotEntries(): StoredSnapshot["entries"] {
    const byActor = new Map<Actor, string[]>();
    for (const [hash, cached] of this.byHash) {
      if (cached.fetchedAt !== this.lastSyncAt) continue;
      const tokens = byActor.get(cached.actor) ?? [];
      tokens.push(hash);
      byActor.set(cached.actor, tokens);
    }
    return [...byActor].map(([actor, tokens]) => ({ actor: storable(actor), tokens }));
  }

  private async readCachedLookup(hash: string): Promise<CachedActor | undefined> {
    if (!this.redis) return undefined;
    const text = await this.redis.client.get(this.key(`token:${hash}`));
    if (text === null) return undefined;
    const value = JSON.parse(text) as { actor: ActorFields; fetchedAt: number };
    return { actor: makeActor(value.actor), fetchedAt: value.fetchedAt };
  }

  private key(suffix: string): string {
    return `${this.redis!.keyPrefix}actor-source:${this.id}:${suffix}`;
  }
}
