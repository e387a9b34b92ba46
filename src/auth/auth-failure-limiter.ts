import { GatewayError } from "../errors/index.js";

export interface AuthFailureSettings {
  /** Failed token checks an address may make per window; at the limit it is blocked for a window. */
  limit: number;
  windowMs: number;
  /** Addresses remembered at most, per map: the oldest go first, so many addresses cannot grow memory. */
  maxAddresses?: number;
}

interface Window {
  count: number;
  endsAt: number;
}

const DEFAULT_MAX_ADDRESSES = 10_000;

/**
 * Failed authentication per client address (missing, unknown, revoked or expired tokens), in this replica's
 * memory: after `limit` failures within a window, the address is blocked for a window. While it is, a token
 * known from memory is still served (NAT, or a load balancer without trustProxy, puts valid callers behind the
 * guesser's address), and any other token is refused (429) without being looked up, so guessing tokens and
 * making the store look up garbage are both bounded. Each replica counts on its own (a client spread over N
 * replicas gets N × limit tries).
 *
 * A request with a valid token costs nothing here while no address is blocked (`blocking` is a size check);
 * the work is on the failure path.
 */
export class AuthFailureLimiter {
  private readonly failures = new Map<string, Window>();
  /**
   * Blocked addresses and when each may try again. Every block lasts one window from the failure that reached
   * the limit, so the map's insertion order is the order in which blocks end: expired ones are at its head.
   */
  private readonly blocked = new Map<string, number>();
  private readonly maxAddresses: number;
  /** When the earliest block ends: blocks that ended are swept then, so `blocking` turns false again. */
  private sweepAt = Number.POSITIVE_INFINITY;
  /** Requests refused because their address was blocked (a counter for metrics). */
  refusals = 0;

  constructor(
    private readonly settings: AuthFailureSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.maxAddresses = settings.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  }

  /** True while some address is blocked: only then does a request need its client address looked up. */
  get blocking(): boolean {
    return this.blocked.size !== 0;
  }

  /** When `address` is blocked now, the time its block ends; otherwise undefined. */
  blockedUntil(address: string): number | undefined {
    const now = this.now();
    if (now >= this.sweepAt) this.sweep(now);
    const until = this.blocked.get(address);
    if (until === undefined || now < until) return until;
    this.blocked.delete(address);
    return undefined;
  }

  /** The 429 for a request from an address blocked until `until` whose token is not known from memory. */
  refusal(until: number): GatewayError {
    this.refusals++;
    const seconds = Math.max(1, Math.ceil((until - this.now()) / 1000));
    return new GatewayError(
      "rate_limited",
      `too many failed authentication attempts from this address; retry in ${seconds} s`,
      { retryAfterSeconds: seconds },
    );
  }

  /** A failed token check from `address`. */
  failed(address: string): void {
    const now = this.now();
    let window = this.failures.get(address);
    // Moved to the end on every failure, so the map's first entry is the least recently failing address.
    if (window !== undefined) this.failures.delete(address);
    if (window === undefined || now >= window.endsAt)
      window = { count: 0, endsAt: now + this.settings.windowMs };
    window.count++;
    if (window.count < this.settings.limit) {
      remember(this.failures, address, window, this.maxAddresses);
      return;
    }
    const until = now + this.settings.windowMs;
    remember(this.blocked, address, until, this.maxAddresses);
    if (until < this.sweepAt) this.sweepAt = until;
  }

  /** Addresses tracked (failing or blocked), for tests. */
  get size(): number {
    return this.failures.size + this.blocked.size;
  }

  /** Drops the ended blocks at the map's head and stops at the first that has not ended. */
  private sweep(now: number): void {
    for (const [address, until] of this.blocked) {
      if (now < until) {
        this.sweepAt = until;
        return;
      }
      this.blocked.delete(address);
    }
    this.sweepAt = Number.POSITIVE_INFINITY;
  }
}

function remember<T>(map: Map<string, T>, key: string, value: T, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
