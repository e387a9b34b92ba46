import type { NewAuditEntry } from "../store/index.js";

/**
 * Who made a change, for the audit log: an actor id, the actor with the token it used (admin API calls), or
 * `null` for the system (config load, the CLI, first start).
 */
export type ChangeAuthor = string | null | { readonly actorId: string; readonly tokenId?: string };

/** The entry's `actorId`, and `byToken` for its details when the token is known (its id, never the token). */
export function authorOf(author: ChangeAuthor): { actorId: string | null; byToken?: string } {
  if (author === null || typeof author === "string") return { actorId: author };
  return author.tokenId === undefined
    ? { actorId: author.actorId }
    : { actorId: author.actorId, byToken: author.tokenId };
}

/** An audit entry in the shared shape: `details: {byToken?, before?, after?, …}`. */
export function auditEntry(
  at: Date,
  author: ChangeAuthor,
  action: string,
  target: string | null,
  details: Record<string, unknown>,
): NewAuditEntry {
  const { actorId, byToken } = authorOf(author);
  return { at, actorId, action, target, details: byToken === undefined ? details : { byToken, ...details } };
}
