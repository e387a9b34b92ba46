import { auditEntry, type ChangeAuthor } from "../auth/change-author.js";
import { bumpRevision } from "../auth/revision.js";
import { Secret } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import type { ProviderKeyRecord, Store, StoreRepositories } from "../store/index.js";
import { MasterKeyRing } from "./master-key.js";
import { keyHint, openSecret, sealSecret } from "./secret-box.js";

/** A stored key, opened once per load and kept in memory for the request path. */
export interface StoredKey {
  readonly key: Secret;
  readonly hint: string;
  readonly updatedAt: Date;
}

export interface KeyDirectoryOptions {
  store: Store;
  /** Absent when no master key is configured (Postgres without `secrets.masterKey`): keys cannot be saved. */
  ring: MasterKeyRing | undefined;
  /**
   * Reads the master keys again, on every load: `tollgate secrets rotate` on a generated key file reseals every
   * key under a new key while the gateway runs, and later saves must be sealed with it too.
   */
  reloadRing?: () => Promise<MasterKeyRing | undefined>;
  /** Called after this replica changed a key: tells the other replicas (the token change bus) and reloads. */
  changed: () => Promise<void>;
  logger?: { error(object: object, message: string): void };
  now?: () => Date;
}

/** Who is changing a key, for the audit log (`null`: the system). */
export type KeyAuthor = ChangeAuthor;

const central = (providerId: string) => `central\u0000${providerId}`;
const own = (actorId: string, providerId: string) => `actor\u0000${actorId}\u0000${providerId}`;

/**
 * Every provider key in the store (central keys set through the admin API and callers' own keys), opened and
 * held in memory so resolving a request's credential never waits for the database (DESIGN §6). The whole
 * index is reloaded whenever the token revision changes (the ActorDirectory's poll and change bus call
 * `load`), so a key saved on one replica is used by all of them within a second.
 */
export class KeyDirectory {
  private keys = new Map<string, StoredKey>();
  private owners = new Map<string, Map<string, StoredKey>>();
  /** Grows with each load: caches derived from the keys compare it. */
  version = 0;

  private ring: MasterKeyRing | undefined;

  constructor(private readonly options: KeyDirectoryOptions) {
    this.ring = options.ring;
  }

  /** Whether keys can be saved (a master key is configured). */
  get canStore(): boolean {
    return this.ring !== undefined;
  }

  centralKey(providerId: string): StoredKey | undefined {
    return this.keys.get(central(providerId));
  }

  userKey(actorId: string, providerId: string): StoredKey | undefined {
    return this.keys.get(own(actorId, providerId));
  }

  /** How many callers saved their own key for the provider. */
  userKeyCount(providerId: string): number {
    let count = 0;
    for (const byProvider of this.owners.values()) if (byProvider.has(providerId)) count++;
    return count;
  }

  /** The keys an actor saved, by provider id. */
  userKeys(actorId: string): ReadonlyMap<string, StoredKey> {
    return this.owners.get(actorId) ?? new Map();
  }

  /**
   * Rebuilds the index from the store. A key that does not open (sealed under a master key this replica does
   * not have) is left out and logged; at start the gateway checks every key first (`checkMasterKeys`).
   */
  async load(): Promise<void> {
    const records = await this.options.store.providerKeys.list();
    if (this.options.reloadRing) this.ring = mergeRings(await this.options.reloadRing(), this.ring);
    const keys = new Map<string, StoredKey>();
    const owners = new Map<string, Map<string, StoredKey>>();
    for (const record of records) {
      const stored = this.open(record);
      if (!stored) continue;
      if (record.actorId === null) {
        keys.set(central(record.providerId), stored);
        continue;
      }
      keys.set(own(record.actorId, record.providerId), stored);
      const byProvider = owners.get(record.actorId) ?? new Map<string, StoredKey>();
      owners.set(record.actorId, byProvider);
      byProvider.set(record.providerId, stored);
    }
    this.keys = keys;
    this.owners = owners;
    this.version++;
  }

  /** Saves (or replaces) an actor's own key, or the provider's central key when `actorId` is null. */
  async save(
    actorId: string | null,
    providerId: string,
    plaintext: string,
    author: KeyAuthor,
  ): Promise<void> {
    await this.options.store.transaction((tx) => this.saveIn(tx, actorId, providerId, plaintext, author));
    await this.announce();
  }

  /**
   * The save inside a caller's transaction (a provider created with its central key: both or neither); the
   * caller announces the change after it commits.
   */
  async saveIn(
    tx: StoreRepositories,
    actorId: string | null,
    providerId: string,
    plaintext: string,
    author: KeyAuthor,
  ): Promise<void> {
    const ring = this.requireRing();
    const now = this.options.now?.() ?? new Date();
    const secret = sealSecret(ring, plaintext, { actorId, providerId });
    const existed = (await tx.providerKeys.get(actorId, providerId)) !== undefined;
    await tx.providerKeys.put({ actorId, providerId, secret, hint: keyHint(plaintext), at: now });
    await tx.audit.append(
      auditEntry(
        now,
        author,
        actorId === null ? "central-key-set" : "user-key-set",
        keyTarget(actorId, providerId),
        {
          ...keyOwner(actorId, providerId),
          before: { keySaved: existed },
          after: { keySaved: true },
        },
      ),
    );
    await bumpRevision(tx.settings);
  }

  /** Removes a key; whether there was one. */
  async remove(actorId: string | null, providerId: string, author: KeyAuthor): Promise<boolean> {
    const now = this.options.now?.() ?? new Date();
    const removed = await this.options.store.transaction(async (tx) => {
      const existed = await tx.providerKeys.delete(actorId, providerId);
      if (!existed) return false;
      await tx.audit.append(
        auditEntry(
          now,
          author,
          actorId === null ? "central-key-clear" : "user-key-delete",
          keyTarget(actorId, providerId),
          { ...keyOwner(actorId, providerId), before: { keySaved: true }, after: { keySaved: false } },
        ),
      );
      await bumpRevision(tx.settings);
      return true;
    });
    if (removed) await this.announce();
    return removed;
  }

  /** The change is committed: a failure to tell the replicas now is logged (their poll catches up), not thrown. */
  private async announce(): Promise<void> {
    await this.options
      .changed()
      .catch((error: unknown) =>
        this.options.logger?.error({ err: error }, "a key change is saved but could not be applied at once"),
      );
  }

  private requireRing(): MasterKeyRing {
    const ring = this.ring;
    if (!ring) {
      throw new GatewayError(
        "gateway_unavailable",
        "keys cannot be stored: no master key is configured (set `secrets.masterKey` or TOLLGATE_MASTER_KEY)",
      );
    }
    return ring;
  }

  private open(record: ProviderKeyRecord): StoredKey | undefined {
    const ring = this.ring;
    try {
      if (!ring) throw new Error("no master key is configured");
      const plaintext = openSecret(ring, record.secret, {
        actorId: record.actorId,
        providerId: record.providerId,
      });
      return { key: new Secret(plaintext), hint: record.hint, updatedAt: record.updatedAt };
    } catch (error) {
      this.options.logger?.error(
        {
          err: error,
          provider: record.providerId,
          ...(record.actorId === null ? {} : { actor: record.actorId }),
        },
        "a stored provider key cannot be opened with this replica's master key; it is not used",
      );
      return undefined;
    }
  }
}

/**
 * Audit entries say whose key for which provider changed and whether one was saved, never the key, its hint or
 * its sealed form.
 */
const keyTarget = (actorId: string | null, providerId: string) =>
  actorId === null ? providerId : `${actorId}/${providerId}`;
const keyOwner = (actorId: string | null, providerId: string) =>
  actorId === null ? { providerId } : { providerId, ownerId: actorId };

/** The freshly read keys sealing from now on, and every key either ring could open. */
function mergeRings(
  fresh: MasterKeyRing | undefined,
  known: MasterKeyRing | undefined,
): MasterKeyRing | undefined {
  if (!fresh || !known) return fresh ?? known;
  const keys = (ring: MasterKeyRing) => ring.ids.map((id) => ring.key(id)!.key);
  return new MasterKeyRing(fresh.current.key, [...keys(fresh), ...keys(known)]);
}
