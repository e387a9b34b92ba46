import { randomBytes } from "node:crypto";
import { durationBoundProblem } from "../config/duration.js";
import type { Budget, FeatureLimits } from "../config/schema/tollgate.js";
import {
  type ActorPatch,
  type ActorRecord,
  isStoreError,
  type NewActor,
  type Store,
  type StoreRepositories,
  type TokenRecord,
} from "../store/index.js";
import { limitsForStorage } from "./actor.js";
import { auditEntry, type ChangeAuthor } from "./change-author.js";
import { type AdminLoss, lastAdminRefusal } from "./last-admin.js";
import type { Role } from "./principal.js";
import { bumpRevision } from "./revision.js";
import { generateToken, hashToken, tokenHint, tokenPrefix } from "./token.js";

/**
 * Token and actor management shared by the CLI and the admin API: every change is one transaction
 * that also bumps the change revision (so every replica reloads within its poll interval) and writes
 * the audit log. Views never carry a token or its hash; only `createToken` returns a token, once.
 */

export type AccessErrorKind = "not_found" | "invalid" | "conflict" | "read_only";

export class AccessError extends Error {
  override name = "AccessError";
  constructor(
    readonly kind: AccessErrorKind,
    message: string,
    /** The input field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export type TokenState = "active" | "revoked" | "expired";

export interface TokenView {
  id: string;
  name: string;
  actorId: string;
  /** `tg_…abcd`: enough to recognise a token, useless to use it. */
  hint: string;
  state: TokenState;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface ActorView {
  id: string;
  name: string;
  role: Role;
  status: "active" | "disabled";
  allowedModels: string[] | null;
  /** As written in the config (intervals as durations). */
  limits: Record<string, unknown> | null;
  budget: Record<string, unknown> | null;
  source: "config" | "database" | "external";
  createdAt: string;
  updatedAt: string;
}

export interface CreateTokenInput {
  name: string;
  /** Role of the actor created when `actorId` is absent (default `user`). */
  role?: Role | undefined;
  /** An existing actor; absent creates a new actor named `name`. */
  actorId?: string | undefined;
  expiresInMs?: number | undefined;
}

export interface CreatedToken {
  id: string;
  actorId: string;
  /** The plaintext token: show it once, never store or log it. */
  token: string;
  expiresAt: string | null;
}

export interface ActorInput {
  id?: string | undefined;
  name: string;
  role?: Role | undefined;
  status?: "active" | "disabled" | undefined;
  allowedModels?: string[] | null | undefined;
  limits?: FeatureLimits | null | undefined;
  budget?: Budget | null | undefined;
}

export type ActorChanges = Partial<Omit<ActorInput, "id">>;

/** Who made a change, for the audit log (`null`: the system, e.g. the CLI). */
export type Changer = ChangeAuthor;

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function tokenView(record: TokenRecord, now: Date = new Date()): TokenView {
  const state: TokenState =
    record.revokedAt !== null
      ? "revoked"
      : record.expiresAt !== null && record.expiresAt <= now
        ? "expired"
        : "active";
  return {
    id: record.id,
    name: record.name,
    actorId: record.actorId,
    hint: `${tokenPrefix}…${record.tokenHint}`,
    state,
    createdAt: record.createdAt.toISOString(),
    expiresAt: iso(record.expiresAt),
    revokedAt: iso(record.revokedAt),
    lastUsedAt: iso(record.lastUsedAt),
  };
}

export function actorView(record: ActorRecord): ActorView {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    status: record.status,
    allowedModels: record.allowedModels,
    limits: record.limits,
    budget: record.budget,
    source: record.source,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** An actor id from a display name: `CI bot` → `ci-bot`. */
function slug(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 48);
  return base || "actor";
}

export class AccessAdmin {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createToken(input: CreateTokenInput, by: Changer): Promise<CreatedToken> {
    const token = generateToken();
    const now = this.now();
    const expiresAt =
      input.expiresInMs === undefined ? null : new Date(now.getTime() + checkExpiry(input.expiresInMs));
    return this.store.transaction(async (tx) => {
      let actorId = input.actorId;
      if (actorId === undefined) {
        const actor = await this.createWithFreeId(tx, slug(input.name), {
          name: input.name,
          role: input.role ?? "user",
          source: "database",
          createdAt: now,
        });
        actorId = actor.id;
        await tx.audit.append(
          auditEntry(now, by, "actor-create", actorId, { after: actorFields(actor), via: "token-create" }),
        );
      } else {
        const actor = await tx.actors.get(actorId);
        if (!actor) throw new AccessError("not_found", `actor \`${actorId}\` does not exist`, "actorId");
        if (input.role !== undefined && input.role !== actor.role) {
          throw new AccessError(
            "invalid",
            `a token has the role of its actor (\`${actorId}\` is ${actor.role}); change the actor's role instead`,
            "role",
          );
        }
      }
      const record = await tx.tokens
        .create({
          actorId,
          name: input.name,
          tokenHash: hashToken(token),
          tokenHint: tokenHint(token),
          createdAt: now,
          expiresAt,
        })
        .catch((error: unknown) => {
          // The actor was deleted between our read and the insert (a concurrent request).
          if (isStoreError(error, "missing-reference")) {
            throw new AccessError("not_found", `actor \`${actorId}\` does not exist`, "actorId");
          }
          throw error;
        });
      await tx.audit.append(
        auditEntry(now, by, "token-create", record.id, {
          after: { actorId, name: input.name, expiresAt: iso(expiresAt) },
        }),
      );
      await bumpRevision(tx.settings);
      return { id: record.id, actorId, token, expiresAt: iso(expiresAt) };
    });
  }

  async listTokens(options: { actorId?: string | undefined } = {}): Promise<TokenView[]> {
    const now = this.now();
    const records = await this.store.tokens.list(
      options.actorId === undefined ? {} : { actorId: options.actorId },
    );
    return records.map((record) => tokenView(record, now));
  }

  /**
   * Revokes a token. Returns its hash (for the caller to broadcast, never to show) and whether this
   * call revoked it (`false` when it was revoked already).
   */
  async revokeToken(id: string, by: Changer): Promise<{ revoked: boolean; tokenHash: string }> {
    const now = this.now();
    return this.store.transaction(async (tx) => {
      const record = await tx.tokens.get(id);
      if (!record) throw new AccessError("not_found", `token \`${id}\` does not exist`, "id");
      if (tokenView(record, now).state === "active") {
        const actor = await tx.actors.get(record.actorId);
        if (actor?.role === "admin") await refuseLastAdmin(tx, { actorId: actor.id, tokenId: id }, now);
      }
      const revoked = await tx.tokens.revoke(id, now);
      if (revoked) {
        const before = { actorId: record.actorId, name: record.name, state: tokenView(record, now).state };
        await tx.audit.append(
          auditEntry(now, by, "token-revoke", id, { before, after: { ...before, state: "revoked" } }),
        );
        await bumpRevision(tx.settings);
      }
      return { revoked, tokenHash: record.tokenHash };
    });
  }

  async listActors(): Promise<ActorView[]> {
    return (await this.store.actors.list()).map(actorView);
  }

  async getActor(id: string): Promise<ActorView> {
    const record = await this.store.actors.get(id);
    if (!record) throw new AccessError("not_found", `actor \`${id}\` does not exist`, "id");
    return actorView(record);
  }

  async createActor(input: ActorInput, by: Changer): Promise<ActorView> {
    const now = this.now();
    const fields = {
      name: input.name,
      role: input.role ?? "user",
      status: input.status ?? "active",
      allowedModels: input.allowedModels ?? null,
      limits: limitsForStorage(input.limits ?? undefined),
      budget: input.budget ?? null,
      source: "database",
      createdAt: now,
    } as const;
    return this.store.transaction(async (tx) => {
      let record: ActorRecord;
      if (input.id === undefined) {
        record = await this.createWithFreeId(tx, slug(input.name), fields);
      } else {
        // Not found by a read first: a concurrent create of the same id would pass the read and then fail.
        const created = await tx.actors.createIfAbsent({ id: input.id, ...fields });
        if (!created)
          throw new AccessError("conflict", `an actor with id \`${input.id}\` already exists`, "id");
        record = created;
      }
      await tx.audit.append(auditEntry(now, by, "actor-create", record.id, { after: actorFields(record) }));
      await bumpRevision(tx.settings);
      return actorView(record);
    });
  }

  async updateActor(id: string, changes: ActorChanges, by: Changer): Promise<ActorView> {
    const now = this.now();
    return this.store.transaction(async (tx) => {
      const existing = await this.changeableActor(tx, id);
      const patch: { -readonly [K in keyof ActorPatch]: ActorPatch[K] } = {};
      if (changes.name !== undefined) patch.name = changes.name;
      if (changes.role !== undefined) patch.role = changes.role;
      if (changes.status !== undefined) patch.status = changes.status;
      if (changes.allowedModels !== undefined) patch.allowedModels = changes.allowedModels;
      if (changes.limits !== undefined) patch.limits = limitsForStorage(changes.limits ?? undefined);
      if (changes.budget !== undefined) patch.budget = changes.budget;
      const demoted = changes.role !== undefined && changes.role !== "admin";
      if (
        existing.role === "admin" &&
        existing.status === "active" &&
        (demoted || changes.status === "disabled")
      ) {
        await refuseLastAdmin(tx, { actorId: id }, now);
      }
      const record = await tx.actors.update(id, patch, now);
      // Deleted by a concurrent request since we read it.
      if (!record) throw new AccessError("not_found", `actor \`${id}\` does not exist`, "id");
      await tx.audit.append(auditEntry(now, by, "actor-update", id, changedFields(existing, record)));
      await bumpRevision(tx.settings);
      return actorView(record);
    });
  }

  /** Deletes an actor and its tokens; returns the tokens' hashes for the caller to broadcast. */
  async deleteActor(id: string, by: Changer): Promise<{ tokenHashes: string[] }> {
    const now = this.now();
    return this.store.transaction(async (tx) => {
      const existing = await this.changeableActor(tx, id);
      if (existing.role === "admin") await refuseLastAdmin(tx, { actorId: id }, now);
      const tokens = await tx.tokens.list({ actorId: id });
      // A concurrent delete may have won since we read it: only one of them is the deletion.
      if (!(await tx.actors.delete(id))) {
        throw new AccessError("not_found", `actor \`${id}\` does not exist`, "id");
      }
      // Its own provider keys go with it: nobody could use or delete them afterwards.
      const keys = await tx.providerKeys.deleteForActor(id);
      await tx.audit.append(
        auditEntry(now, by, "actor-delete", id, {
          before: actorFields(existing),
          tokens: tokens.length,
          providerKeys: keys,
        }),
      );
      await bumpRevision(tx.settings);
      return { tokenHashes: tokens.map((token) => token.tokenHash) };
    });
  }

  private async changeableActor(tx: StoreRepositories, id: string): Promise<ActorRecord> {
    const record = await tx.actors.get(id);
    if (!record) throw new AccessError("not_found", `actor \`${id}\` does not exist`, "id");
    if (record.source === "config") {
      throw new AccessError(
        "read_only",
        `actor \`${id}\` is defined in the config file; change it there (tokens can still be added with actorId)`,
        "id",
      );
    }
    return record;
  }

  /**
   * Creates an actor under `base`, or `base-<random>` when that is taken. Insert-if-absent rather than read then
   * insert: concurrent creates of one name each get their own id instead of failing on the same one (issue 15).
   */
  private async createWithFreeId(
    tx: StoreRepositories,
    base: string,
    actor: Omit<NewActor, "id">,
  ): Promise<ActorRecord> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const id = attempt === 0 ? base : `${base}-${randomBytes(3).toString("hex")}`;
      const record = await tx.actors.createIfAbsent({ ...actor, id });
      if (record) return record;
    }
    throw new AccessError("conflict", `no free actor id starting with \`${base}\`; send an id`, "id");
  }
}

/** A token's lifetime, checked here so that the CLI and the admin API agree (the API's schema checks it first). */
function checkExpiry(milliseconds: number): number {
  if (!(milliseconds > 0))
    throw new AccessError("invalid", "`expiresIn` must be longer than zero", "expiresIn");
  const tooLong = durationBoundProblem(milliseconds);
  if (tooLong !== undefined) throw new AccessError("invalid", `\`expiresIn\` ${tooLong}`, "expiresIn");
  return milliseconds;
}

async function refuseLastAdmin(tx: StoreRepositories, loss: AdminLoss, now: Date): Promise<void> {
  const refusal = await lastAdminRefusal(tx, loss, now);
  if (refusal !== undefined) throw new AccessError("conflict", refusal, "id");
}

/** An actor's changeable fields, as the audit log keeps them (actors carry no secrets). */
export function actorFields(record: ActorRecord): Record<string, unknown> {
  const { name, role, status, allowedModels, limits, budget } = record;
  return { name, role, status, allowedModels, limits, budget };
}

/** Before and after of the fields an update changed (none when it set what was there). */
function changedFields(
  existing: ActorRecord,
  record: ActorRecord,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const [old, now] = [actorFields(existing), actorFields(record)];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const key of Object.keys(now)) {
    if (JSON.stringify(old[key]) === JSON.stringify(now[key])) continue;
    before[key] = old[key];
    after[key] = now[key];
  }
  return { before, after };
}
