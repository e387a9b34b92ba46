import type { Authenticator, Principal } from "./principal.js";
import { hashToken } from "./token.js";

export interface KnownToken {
  hash: string;
  principal: Principal;
  expiresAt?: number | null;
}

/** Answers from an in-memory index of token hashes; rebuilt by whoever owns the token set. */
export class StaticAuthenticator implements Authenticator {
  private readonly byHash: Map<string, KnownToken>;

  constructor(
    tokens: Iterable<KnownToken>,
    private readonly now: () => number = Date.now,
  ) {
    this.byHash = new Map();
    for (const token of tokens) this.byHash.set(token.hash, token);
  }

  authenticate(token: string): Principal | undefined {
    const known = this.byHash.get(hashToken(token));
    if (!known) return undefined;
    if (known.expiresAt != null && known.expiresAt <= this.now()) return undefined;
    return known.principal;
  }

  /** Everything is in memory here. */
  cachedPrincipal(token: string): Principal | undefined {
    return this.authenticate(token);
  }
}
