import type { StoreKind } from "./sql.js";
import type { UsageEventsRepository } from "./usage-events.js";

export type { StoreKind } from "./sql.js";
export type * from "./usage-events.js";

/**
 * Tollgate's persistent state behind one interface, served by SQLite or Postgres. Callers never see SQL.
 * Each concern is a repository; later issues add theirs (usage events, provider keys, user keys) beside
 * these and a migration for their tables.
 *
 * Timestamps are `Date`s in records and epoch milliseconds in the database. JSON columns take any
 * JSON-serialisable value and come back parsed; the module that owns a shape (config, limits) validates it.
 */
export interface Store extends StoreRepositories {
  readonly kind: StoreKind;
  /**
   * Runs `work` atomically: every change made through `tx` is committed together, or none is if it throws.
   * Inside `work`, use only `tx`; using the store itself there is an error (on SQLite it would deadlock).
   */
  transaction<T>(work: (tx: StoreRepositories) => Promise<T>): Promise<T>;
  /** Applies pending migrations (idempotent, safe when several processes start at once). */
  migrate(): Promise<MigrationResult>;
  /** Resolves when the database answers a trivial query; for readiness checks. */
  ping(): Promise<void>;
  /** Closes connections; the store cannot be used afterwards. Calling it twice is harmless. */
  close(): Promise<void>;
}

export interface StoreRepositories {
  readonly settings: SettingsRepository;
  readonly actors: ActorsRepository;
  readonly tokens: TokensRepository;
  readonly audit: AuditRepository;
  readonly providerKeys: ProviderKeysRepository;
  readonly usageEvents: UsageEventsRepository;
  readonly catalogueEntries: CatalogueEntriesRepository;
}

export interface MigrationInfo {
  readonly id: number;
  readonly name: string;
}

export interface MigrationResult {
  /** Migrations this call applied, in order (empty when the database was up to date). */
  readonly applied: readonly MigrationInfo[];
  /** The id of the newest migration now applied (0 for none). */
  readonly version: number;
}

export type JsonObject = Record<string, unknown>;

// Settings: small key/value documents for configuration made through the admin API.

export interface SettingRecord {
  readonly key: string;
  readonly value: unknown;
  readonly updatedAt: Date;
}

export interface SettingsRepository {
  /** The stored value, or `undefined` when the key is absent. */
  get(key: string): Promise<unknown>;
  /** Inserts or replaces; `value` must be JSON-serialisable (not `undefined`). */
  set(key: string, value: unknown, at?: Date): Promise<void>;
  /** Whether the key existed. */
  delete(key: string): Promise<boolean>;
  /** Every setting, by key. */
  list(): Promise<SettingRecord[]>;
}

// Actors: the callers of the gateway.

export type ActorRole = "admin" | "readonly" | "user";
export type ActorStatus = "active" | "disabled";
/** Where the actor is defined: the config file, the admin API, or an external identity source. */
export type ActorSource = "config" | "database" | "external";

export interface ActorRecord {
  readonly id: string;
  readonly name: string;
  readonly role: ActorRole;
  readonly status: ActorStatus;
  /** Model-ref globs; `null` means every model. */
  readonly allowedModels: string[] | null;
  readonly limits: JsonObject | null;
  readonly budget: JsonObject | null;
  readonly source: ActorSource;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewActor {
  readonly id: string;
  readonly name: string;
  readonly role: ActorRole;
  /** Default `active`. */
  readonly status?: ActorStatus;
  readonly allowedModels?: readonly string[] | null;
  readonly limits?: object | null;
  readonly budget?: object | null;
  readonly source: ActorSource;
  /** Default now; also the initial `updatedAt`. */
  readonly createdAt?: Date;
}

/** Fields to change; a field that is present (even `null`) is written, an absent one is kept. */
export type ActorPatch = Partial<
  Pick<NewActor, "name" | "role" | "status" | "allowedModels" | "limits" | "budget" | "source">
>;

export interface ActorFilter {
  readonly source?: ActorSource;
  readonly status?: ActorStatus;
  readonly role?: ActorRole;
  /**
   * Inside a transaction: lock the rows found until it ends (Postgres `FOR UPDATE`; SQLite's transactions are
   * serial already), so a check over several actors (the last admin) cannot race a concurrent change.
   */
  readonly lock?: boolean;
}

export interface ActorsRepository {
  /** @throws StoreError `conflict` when the id is taken. */
  create(actor: NewActor): Promise<ActorRecord>;
  /** As `create`, but `undefined` when the id is taken, without failing the transaction (Postgres would). */
  createIfAbsent(actor: NewActor): Promise<ActorRecord | undefined>;
  get(id: string): Promise<ActorRecord | undefined>;
  /** Ordered by id. */
  list(filter?: ActorFilter): Promise<ActorRecord[]>;
  /** The updated actor, or `undefined` when there is none with this id. */
  update(id: string, patch: ActorPatch, at?: Date): Promise<ActorRecord | undefined>;
  /** Deletes the actor and (cascading) its tokens; whether it existed. */
  delete(id: string): Promise<boolean>;
}

// Tokens: access tokens, stored only as hashes.

export interface TokenRecord {
  /** `tok_…`, safe to show and log. */
  readonly id: string;
  readonly actorId: string;
  readonly name: string;
  /** SHA-256 hex of the token; the plaintext is never stored. */
  readonly tokenHash: string;
  /** The token's last characters, to help people recognise it. */
  readonly tokenHint: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface NewToken {
  /** Default: a fresh `tok_<random>`. */
  readonly id?: string;
  readonly actorId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly tokenHint: string;
  readonly createdAt?: Date;
  readonly expiresAt?: Date | null;
}

export interface TokenListOptions {
  readonly actorId?: string;
  /** Only tokens neither revoked nor expired at `now` (default: all tokens). */
  readonly activeOnly?: boolean;
  readonly now?: Date;
}

export interface TokensRepository {
  /**
   * @throws StoreError `conflict` when the id or the hash exists, `missing-reference` when the actor does not.
   */
  create(token: NewToken): Promise<TokenRecord>;
  /** The token with this hash if it is usable at `now`: not revoked and not expired. */
  findByHash(tokenHash: string, now?: Date): Promise<TokenRecord | undefined>;
  /** The token with this hash whatever its state (a revoked hash cannot be issued again). */
  getByHash(tokenHash: string): Promise<TokenRecord | undefined>;
  /** The token whatever its state. */
  get(id: string): Promise<TokenRecord | undefined>;
  /** Ordered by creation time. */
  list(options?: TokenListOptions): Promise<TokenRecord[]>;
  /** Whether a token that was not yet revoked is now. */
  revoke(id: string, at?: Date): Promise<boolean>;
  /** Records a use; never moves `lastUsedAt` backwards (replicas may report late). */
  touchLastUsed(id: string, at: Date): Promise<void>;
  /** Deletes tokens that expired at or before `now`; how many. */
  deleteExpired(now?: Date): Promise<number>;
}

// Audit log: who changed what, append-only.

export interface AuditRecord {
  readonly id: number;
  readonly at: Date;
  /** The actor who acted; `null` for the system (config load, CLI). */
  readonly actorId: string | null;
  /** Noun-verb, e.g. `token-create`. */
  readonly action: string;
  readonly target: string | null;
  readonly details: JsonObject | null;
}

export interface NewAuditEntry {
  readonly at?: Date;
  readonly actorId: string | null;
  readonly action: string;
  readonly target?: string | null;
  readonly details?: object | null;
}

export interface AuditListOptions {
  /** 1 to 1000, default 100. */
  readonly limit?: number;
  /** Only entries older than this id, to page backwards. */
  readonly beforeId?: number;
  readonly actorId?: string;
  readonly action?: string;
  readonly target?: string;
  /** Entries at or after this time. */
  readonly from?: Date;
  /** Entries before this time. */
  readonly to?: Date;
}

export interface AuditRepository {
  append(entry: NewAuditEntry): Promise<AuditRecord>;
  /** Newest first. */
  list(options?: AuditListOptions): Promise<AuditRecord[]>;
}

// Provider keys: central keys set through the admin API and callers' own keys (BYOK), stored only encrypted.

/** A secret as AES-256-GCM leaves it (src/credentials/secret-box.ts); nothing here reveals the plaintext. */
export interface EncryptedSecret {
  /** Which master key sealed it: a fingerprint of the key, never the key. */
  readonly keyId: string;
  /** The 12-byte nonce, base64. */
  readonly nonce: string;
  /** The ciphertext followed by the 16-byte authentication tag, base64. */
  readonly ciphertext: string;
}

export interface ProviderKeyRecord {
  /** `null` for the provider's central key; else the actor whose own key it is. */
  readonly actorId: string | null;
  readonly providerId: string;
  readonly secret: EncryptedSecret;
  /** The key's last four characters (fewer for short keys), the most any API shows. */
  readonly hint: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewProviderKey {
  readonly actorId: string | null;
  readonly providerId: string;
  readonly secret: EncryptedSecret;
  readonly hint: string;
  /** Default now; `createdAt` is kept when a key replaces another. */
  readonly at?: Date;
}

export interface ProviderKeysRepository {
  /** Inserts or replaces the key of (actorId, providerId). */
  put(key: NewProviderKey): Promise<ProviderKeyRecord>;
  get(actorId: string | null, providerId: string): Promise<ProviderKeyRecord | undefined>;
  /** Whether it existed. */
  delete(actorId: string | null, providerId: string): Promise<boolean>;
  /** Every key (`actorId` given: that owner's only, `null` = central keys), ordered by owner then provider. */
  list(filter?: { actorId?: string | null }): Promise<ProviderKeyRecord[]>;
  /** Deletes an actor's own keys (the actor is being deleted); how many. */
  deleteForActor(actorId: string): Promise<number>;
  /** Deletes every key for a provider, central and users' (the provider is being deleted); the owners. */
  deleteForProvider(providerId: string): Promise<(string | null)[]>;
  /**
   * Replaces a stored key's encrypted form with `to`, leaving its times and hint (rotation), only while it is still
   * `from` (the form the rotation read): a key saved meanwhile is newer and is kept. Whether it was replaced.
   */
  reseal(
    actorId: string | null,
    providerId: string,
    from: EncryptedSecret,
    to: EncryptedSecret,
  ): Promise<boolean>;
}

// Providers and models made through the admin API (Cody's override entries as JSON, no secrets).

export type CatalogueEntryKind = "provider" | "model";

export interface CatalogueEntryRecord {
  readonly kind: CatalogueEntryKind;
  /** The provider id, or the model ref. */
  readonly id: string;
  readonly body: JsonObject;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface CatalogueEntriesRepository {
  /** Every entry, providers first, each kind in the order created. */
  list(): Promise<CatalogueEntryRecord[]>;
  get(kind: CatalogueEntryKind, id: string): Promise<CatalogueEntryRecord | undefined>;
  /** Adds an entry unless one of that kind and id exists; whether it was added. */
  insert(kind: CatalogueEntryKind, id: string, body: JsonObject, at: Date): Promise<boolean>;
  /**
   * Replaces an entry's body only while it is still the version read (`updated_at` = `readAt`), so of two
   * concurrent changes one wins and the other is told; whether it was replaced.
   */
  update(kind: CatalogueEntryKind, id: string, body: JsonObject, at: Date, readAt: Date): Promise<boolean>;
  /** Models stored under a provider (refs starting `<providerId>::`). */
  modelsOf(providerId: string): Promise<string[]>;
  /** Whether it existed. */
  delete(kind: CatalogueEntryKind, id: string): Promise<boolean>;
}
