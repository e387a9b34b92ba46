import type { Store } from "../store/index.js";
import type { KnownToken } from "./static-authenticator.js";

/**
 * Every usable token with its actor, read once so requests authenticate from memory.
 * (The actors issue replaces this with a cache shared across replicas.)
 */
export async function loadStoredTokens(store: Store): Promise<KnownToken[]> {
  const [tokens, actors] = await Promise.all([
    store.tokens.list({ activeOnly: true }),
    store.actors.list({ status: "active" }),
  ]);
  const actorsById = new Map(actors.map((actor) => [actor.id, actor]));
  const known: KnownToken[] = [];
  for (const token of tokens) {
    const actor = actorsById.get(token.actorId);
    if (!actor) continue;
    known.push({
      hash: token.tokenHash,
      expiresAt: token.expiresAt?.getTime() ?? null,
      principal: { actorId: actor.id, name: actor.name, role: actor.role, tokenId: token.id },
    });
  }
  return known;
}
