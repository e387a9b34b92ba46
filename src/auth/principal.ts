export type Role = "admin" | "readonly" | "user";

/** Who is calling: the actor behind a token. */
export interface Principal {
  actorId: string;
  name: string;
  role: Role;
  tokenId: string;
}

/**
 * Resolves a presented token to its principal. A cache hit answers synchronously so
 * the hot path does not pay for a promise; a miss may go to a slower source.
 */
export interface Authenticator {
  authenticate(token: string): Principal | undefined | Promise<Principal | undefined>;
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
