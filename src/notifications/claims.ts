import type { RedisClient } from "../redis/redis-client.js";

/**
 * "This threshold of this quota in this period has been notified": the first replica to claim a key
 * sends the notification, every other claim of it answers false until the period ends.
 */
export interface ThresholdClaims {
  /** True exactly once per key until `expiresAtMs`; rejects when the shared state cannot be reached. */
  claim(key: string, expiresAtMs: number): Promise<boolean>;
}

/** Keys outlive their period by this much, so a replica whose clock lags does not claim one again. */
const SKEW_MARGIN_MS = 60_000;

/** Across replicas: `SET NX` with the expiry in the same command, so a claim can never stay forever. */
export class RedisClaims implements ThresholdClaims {
  constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    const ttl = Math.max(1_000, expiresAtMs - this.now() + SKEW_MARGIN_MS);
    const set = await this.client.set(`${this.keyPrefix}notifications:${key}`, "1", "PX", ttl, "NX");
    return set === "OK";
  }
}

/** One replica (no Redis): the claims live in this process, pruned as their periods end. */
export class MemoryClaims implements ThresholdClaims {
  private readonly claims = new Map<string, number>();
  private prunedAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    if (this.has(key)) return false;
    this.claims.set(key, expiresAtMs + SKEW_MARGIN_MS);
    return true;
  }

  has(key: string): boolean {
    const now = this.now();
    if (now - this.prunedAt > 60_000) this.prune(now);
    const until = this.claims.get(key);
    return until !== undefined && until > now;
  }

  private prune(now: number): void {
    this.prunedAt = now;
    for (const [key, until] of this.claims) if (until <= now) this.claims.delete(key);
  }
}

/** The claim of one threshold: the actor id is URI-encoded so a `:` in it cannot forge another key. */
export function claimKey(
  actorId: string,
  quota: string,
  feature: string | undefined,
  periodStartMs: number,
  threshold: number,
): string {
  return `{${encodeURIComponent(actorId)}}:${quota}:${feature ?? "*"}:${periodStartMs}:${threshold}`;
}
