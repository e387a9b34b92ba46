import { GatewayError } from "../errors/index.js";

export interface AuthFailureSettings {
  /** Failed token checks an address may make per window; at the limit it is refused until the window ends. */
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
 * memory: after `limit` failures within a window, the address is refused (429) without its token being looked
 * at, until the window ends, so guessing tokens and making the gateway hash garbage are both bounded. Each
 * replica counts on its own (a client spread over N replicas gets N × limit tries).
 *
 * A request with a valid token costs nothing here while no address is blocked (`blocking` is a size check);
 * the work is on the failure path.
 */
export class AuthFailureLimiter {
  private readonly failures = new Map<string, Window>();
  /** Blocked addresses and when each may try again. */
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

  /** Throws the 429 when `address` is blocked now. */
  check(address: string): void {
    const now = this.now();
    if (now >= this.sweepAt) this.sweep(now);
    const until = this.blocked.get(address);
    if (until === undefined) return;
    if (now >= until) {
      this.blocked.delete(address);
      return;
    }
    this.refusals++;
    const seconds = Math.max(1, Math.ceil((until - now) / 1000));
    throw new GatewayError(
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
    remember(this.blocked, address, window.endsAt, this.maxAddresses);
    if (window.endsAt < this.sweepAt) this.sweepAt = window.endsAt;
  }

  /** Addresses tracked (failing or blocked), for tests. */
  get size(): number {
    return this.failures.size + this.blocked.size;
  }

  private sweep(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const [address, until] of this.blocked) {
      if (now >= until) this.blocked.delete(address);
      else if (until < next) next = until;
    }
    this.sweepAt = next;
  }
}

function remember<T>(map: Map<string, T>, key: string, value: T, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
