import type { Actor } from "./actor.js";

export type Role = "admin" | "readonly" | "user";

/** Who is calling: the actor behind a token. */
export interface Principal {
  actorId: string;
  name: string;
  role: Role;
  /** The store's `tok_…` id; for config and external tokens a stable id derived from the hash. */
  tokenId: string;
  /**
   * The resolved actor (allowed models, limits, budget), so later steps need no second lookup.
   * Always set by the ActorDirectory; optional only for hand-built principals in tests.
   */
  actor?: Actor;
}

/**
 * Resolves a presented token to its principal. A cache hit answers synchronously so
 * the hot path does not pay for a promise; a miss may go to a slower source.
 */
export interface Authenticator {
  authenticate(token: string): Principal | undefined | Promise<Principal | undefined>;
  /**
   * Answers from memory only, never asking a store or a source: undefined for a token that is unknown, revoked,
   * expired or would need a lookup. Serves the valid callers of a client address blocked for failed
   * authentication without letting that address make the gateway look tokens up.
   */
  cachedPrincipal(token: string): Principal | undefined;
}

/** The token a client presented, from any header the official SDKs use. */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === "string") {
    // RFC 6750: the scheme is case-insensitive.
    if (authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === "bearer ") {
      const token = authorization.slice(7).trim();
      if (token) return token;
    }
  }
  const apiKey = headers["x-api-key"] ?? headers["api-key"];
  if (typeof apiKey === "string" && apiKey.trim()) return apiKey.trim();
  return undefined;
}
