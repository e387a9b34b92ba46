import { createHash, randomBytes } from "node:crypto";

export const tokenPrefix = "tg_";

/** A new access token: `tg_` and 32 random bytes, base64url. Shown once, stored only hashed. */
export function generateToken(): string {
  return tokenPrefix + randomBytes(32).toString("base64url");
}

/**
 * Tokens carry 256 bits of entropy, so one SHA-256 is enough (no salt or slow hash
 * needed: there is nothing to brute-force), and it costs about a microsecond per request.
 * A legacy `sgs_` Cody token is hashed in its `slk_` form (`lookupForm`).
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(lookupForm(token)).digest("hex");
}

/** The last four characters, to tell tokens apart in listings without revealing them. */
export function tokenHint(token: string): string {
  return token.slice(-4);
}

/** Longer than any token Tollgate or Cody issues; longer ones are hashed every time, never kept. */
export const MAX_CACHED_TOKEN_LENGTH = 256;

/**
 * Remembers the hash of recently seen tokens: a token's hash never changes, and hashing on
 * every request is a measurable part of the request path. Bounded: cleared when full, and only tokens of a
 * plausible length are kept (issue 15: 10,000 garbage tokens of 15 KB held 220 MB).
 */
export class TokenHashCache {
  private readonly hashes = new Map<string, string>();

  constructor(private readonly capacity = 10_000) {}

  get size(): number {
    return this.hashes.size;
  }

  /** The hash without keeping a new token: callers that may be fed garbage at will must not churn the cache. */
  peek(token: string): string {
    return this.hashes.get(token) ?? hashToken(token);
  }

  hash(token: string): string {
    let hash = this.hashes.get(token);
    if (hash === undefined) {
      hash = hashToken(token);
      if (token.length > MAX_CACHED_TOKEN_LENGTH) return hash;
      if (this.hashes.size >= this.capacity) this.hashes.clear();
      this.hashes.set(token, hash);
    }
    return hash;
  }
}

/** Who issued a token's format: Cody Gateway's (`slk_`/`sgs_` + 64 hex) or anything else (Tollgate's own). */
export type TokenFamily = "cody" | "tollgate";

const codyTokenLength = 4 + 64;

function isHex(token: string, from: number): boolean {
  for (let i = from; i < token.length; i++) {
    const c = token.charCodeAt(i);
    // 0-9, a-f, A-F
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/**
 * A Sourcegraph instance's license-key token (`slk_` + hex SHA-256 of its license key) or the legacy `sgs_` form of
 * the same content (reference/cody.md §2.2). Decided from the token's shape alone, before any lookup.
 */
export function tokenFamily(token: string | undefined): TokenFamily {
  if (token === undefined || token.length !== codyTokenLength) return "tollgate";
  if (!token.startsWith("slk_") && !token.startsWith("sgs_")) return "tollgate";
  return isHex(token, 4) ? "cody" : "tollgate";
}

/**
 * The form a token is looked up in: a legacy `sgs_` Cody token is the `slk_` token with the same content (Cody
 * Gateway rewrites it before its cache lookup), so either prefix finds the actor configured with the `slk_` one.
 */
export function lookupForm(token: string): string {
  return token.length === codyTokenLength && token.startsWith("sgs_") && isHex(token, 4)
    ? `slk_${token.slice(4)}`
    : token;
}
