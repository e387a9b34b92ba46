import type { Store, StoreRepositories } from "../store/index.js";
import { actorFields } from "./access-admin.js";
import { auditEntry } from "./change-author.js";
import { bumpRevision } from "./revision.js";
import { generateToken, hashToken, tokenHint } from "./token.js";

export const adminActorId = "admin";

export interface AdminBootstrapResult {
  /** A token generated on this start, to print once; absent when one existed or came from the environment. */
  generatedToken?: string;
}

/**
 * Makes sure an admin can sign in: the `admin` actor exists and has a token. The token is
 * `TOLLGATE_ADMIN_TOKEN` when set, else one generated on first start and returned so the
 * caller prints it once; only its hash is stored. What it creates is audited as done by the system.
 */
export async function bootstrapAdmin(store: Store, env: NodeJS.ProcessEnv): Promise<AdminBootstrapResult> {
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
    if (fromEnvironment) {
      const hash = hashToken(fromEnvironment);
      if (!(await tx.tokens.findByHash(hash))) {
        await createToken(tx, "TOLLGATE_ADMIN_TOKEN", hash, tokenHint(fromEnvironment));
        await bumpRevision(tx.settings);
      }
      return {};
    }
    const active = await tx.tokens.list({ actorId: adminActorId, activeOnly: true });
    if (active.length > 0) return {};
    const token = generateToken();
    await createToken(tx, "generated on first start", hashToken(token), tokenHint(token));
    // Other running replicas pick the new token up from their revision poll.
    await bumpRevision(tx.settings);
    return { generatedToken: token };
  });
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
