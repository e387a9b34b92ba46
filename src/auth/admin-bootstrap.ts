import { isStoreError, type Store, type StoreRepositories } from "../store/index.js";
import { actorFields } from "./access-admin.js";
import { auditEntry } from "./change-author.js";
import { bumpRevision } from "./revision.js";
import { generateToken, hashToken, tokenHint } from "./token.js";

export const adminActorId = "admin";
/** The name of the bootstrap admin's token that `TOLLGATE_ADMIN_TOKEN` sets; the bootstrap replaces only these. */
export const environmentTokenName = "TOLLGATE_ADMIN_TOKEN";

export interface AdminBootstrapResult {
  /** A token generated on this start, to print once; absent when one existed or came from the environment. */
  generatedToken?: string;
  /**
   * `TOLLGATE_ADMIN_TOKEN` holds a value that was revoked (or expired) in the store: it stays unusable, and
   * the previous value is kept. Set a new value to replace it.
   */
  environmentTokenUnusable?: true;
}

/**
 * Makes sure an admin can sign in: the `admin` actor exists and has a token. The token is
 * `TOLLGATE_ADMIN_TOKEN` when set, else one generated on first start and returned so the
 * caller prints it once; only its hash is stored. What it creates is audited as done by the system.
 *
 * A changed `TOLLGATE_ADMIN_TOKEN` replaces the previous one: the new value is stored and earlier values
 * (the admin's tokens named TOLLGATE_ADMIN_TOKEN) are revoked and audited, so an old value stops working at the
 * restart that brings the new one (issue 15). A token generated on first start is kept.
 */
export async function bootstrapAdmin(store: Store, env: NodeJS.ProcessEnv): Promise<AdminBootstrapResult> {
  // Replicas started at once on a new database race to create the admin (or its token from the environment):
  // the loser's insert conflicts with the winner's commit, and read again it finds everything in place.
  for (let attempt = 1; ; attempt++) {
    try {
      return await bootstrapOnce(store, env);
    } catch (error) {
      if (attempt >= 3 || !isStoreError(error, "conflict")) throw error;
    }
  }
}

function bootstrapOnce(store: Store, env: NodeJS.ProcessEnv): Promise<AdminBootstrapResult> {
  return store.transaction(async (tx) => {
    if (!(await tx.actors.get(adminActorId))) {
      const actor = await tx.actors.create({
        id: adminActorId,
        name: "Administrator",
        role: "admin",
        source: "database",
      });
      await tx.audit.append(
        auditEntry(actor.createdAt, null, "actor-create", adminActorId, {
          after: actorFields(actor),
          via: "admin-bootstrap",
        }),
      );
    }
    const fromEnvironment = env.TOLLGATE_ADMIN_TOKEN?.trim();
    if (fromEnvironment) return useEnvironmentToken(tx, fromEnvironment);
    const active = await tx.tokens.list({ actorId: adminActorId, activeOnly: true });
    if (active.length > 0) return {};
    const token = generateToken();
    await createToken(tx, "generated on first start", hashToken(token), tokenHint(token));
    // Other running replicas pick the new token up from their revision poll.
    await bumpRevision(tx.settings);
    return { generatedToken: token };
  });
}

async function useEnvironmentToken(tx: StoreRepositories, token: string): Promise<AdminBootstrapResult> {
  const now = new Date();
  const hash = hashToken(token);
  const existing = await tx.tokens.getByHash(hash);
  let changed = false;
  if (existing === undefined) {
    await createToken(tx, environmentTokenName, hash, tokenHint(token));
    changed = true;
  } else if (existing.revokedAt !== null || (existing.expiresAt !== null && existing.expiresAt <= now)) {
    // Someone revoked this value on purpose (a leak, say): a restart must not bring it back.
    return { environmentTokenUnusable: true };
  }
  const previous = await tx.tokens.list({ actorId: adminActorId, activeOnly: true, now });
  for (const record of previous) {
    if (record.name !== environmentTokenName || record.tokenHash === hash) continue;
    await tx.tokens.revoke(record.id, now);
    await tx.audit.append(
      auditEntry(now, null, "token-revoke", record.id, {
        before: { actorId: adminActorId, name: record.name, state: "active" },
        after: { actorId: adminActorId, name: record.name, state: "revoked" },
        via: "admin-bootstrap",
        reason: "TOLLGATE_ADMIN_TOKEN changed",
      }),
    );
    changed = true;
  }
  // Other running replicas pick the change up from their revision poll.
  if (changed) await bumpRevision(tx.settings);
  return {};
}

async function createToken(
  tx: StoreRepositories,
  name: string,
  tokenHash: string,
  hint: string,
): Promise<void> {
  const record = await tx.tokens.create({ actorId: adminActorId, name, tokenHash, tokenHint: hint });
  await tx.audit.append(
    auditEntry(record.createdAt, null, "token-create", record.id, {
      after: { actorId: adminActorId, name, expiresAt: null },
      via: "admin-bootstrap",
    }),
  );
}
