import type { Store } from "../store/index.js";
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
 * caller prints it once; only its hash is stored.
 */
export async function bootstrapAdmin(store: Store, env: NodeJS.ProcessEnv): Promise<AdminBootstrapResult> {
  return store.transaction(async (tx) => {
    if (!(await tx.actors.get(adminActorId))) {
      await tx.actors.create({ id: adminActorId, name: "Administrator", role: "admin", source: "database" });
    }
    const fromEnvironment = env.TOLLGATE_ADMIN_TOKEN?.trim();
    if (fromEnvironment) {
      const hash = hashToken(fromEnvironment);
      if (!(await tx.tokens.findByHash(hash))) {
        await tx.tokens.create({
          actorId: adminActorId,
          name: "TOLLGATE_ADMIN_TOKEN",
          tokenHash: hash,
          tokenHint: tokenHint(fromEnvironment),
        });
        await bumpRevision(tx.settings);
      }
      return {};
    }
    const active = await tx.tokens.list({ actorId: adminActorId, activeOnly: true });
    if (active.length > 0) return {};
    const token = generateToken();
    await tx.tokens.create({
      actorId: adminActorId,
      name: "generated on first start",
      tokenHash: hashToken(token),
      tokenHint: tokenHint(token),
    });
    // Other running replicas pick the new token up from their revision poll.
    await bumpRevision(tx.settings);
    return { generatedToken: token };
  });
}
