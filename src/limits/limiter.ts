import type { Feature } from "../routing/feature.js";
import type { FailMode } from "./outage.js";
import type { BudgetPeriod, FeaturePolicy } from "./policy.js";
import type { Ticket } from "./ticket.js";
import type { Usage } from "./types.js";

export type { Usage } from "./types.js";

export type LimitName = "requests" | "tokens" | "concurrency" | "budget";

export interface AdmissionRequest {
  /** The actor id. */
  subject: string;
  feature: Feature;
  policy: FeaturePolicy;
  /** What the request is expected to use: reserved now, corrected by `settle`. */
  estimate?: Usage;
  /** Overrides the limiter's clock (tests). */
  now?: number;
}

export interface WindowState {
  limit: number;
  remaining: number;
  /** Epoch milliseconds. */
  resetAt: number;
}

/** What the `x-ratelimit-*` headers need; a dimension without a limit is absent. */
export interface LimitState {
  now: number;
  requests?: WindowState;
  tokens?: WindowState;
  /** True when Redis was unreachable and the request was let through uncounted (fail open). */
  degraded?: boolean;
}

export interface Admitted {
  admitted: true;
  ticket: Ticket;
  state: LimitState;
}

/** A limit is reached: HTTP 429 with `Retry-After: retryAfterSeconds`. */
export interface Refused {
  admitted: false;
  code: "rate_limited";
  status: 429;
  limit: LimitName;
  /** The limit's configured value (requests, tokens, slots, or USD for a budget). */
  value: number;
  resetAt: number;
  retryAfterSeconds: number;
  message: string;
  state: LimitState;
}

/** Redis is unreachable and `failMode` is `closed`: HTTP 503. */
export interface Unavailable {
  admitted: false;
  code: "gateway_unavailable";
  status: 503;
  retryAfterSeconds: number;
  message: string;
  state: LimitState;
}

export type Admission = Admitted | Refused | Unavailable;

export interface ReadRequest {
  subject: string;
  feature: Feature;
  policy: FeaturePolicy;
  now?: number;
}

export interface WindowUsage {
  limit: number;
  intervalMs: number;
  usage: number;
  remaining: number;
  resetAt: number;
}

/** One feature's limits and current usage, for `GET /v1/limits`. */
export interface LimitsSnapshot {
  requests?: WindowUsage;
  tokens?: WindowUsage;
  concurrent?: { limit: number; inUse: number };
  budget?: { usd: number; spentUsd: number; period: BudgetPeriod; resetAt: number };
}

/**
 * Admission control shared by every replica (Redis) or kept in process (memory). One call
 * admits a request on all of its limits at once, or on none.
 */
export interface Limiter {
  /**
   * Takes a concurrency slot, counts the request and reserves the estimated tokens and cost,
   * all or nothing. Never rejects: an unreachable Redis gives a degraded admission (fail open)
   * or an `Unavailable` refusal (fail closed). The in-memory limiter answers synchronously, which
   * spares every request of a single replica two promise round trips.
   */
  admit(request: AdmissionRequest): Admission | Promise<Admission>;
  /**
   * The request ended with this usage: corrects the reservation by (actual − estimate) in the
   * window it was made in, and frees the slot. Idempotent; never rejects.
   */
  settle(ticket: Ticket, actual: Usage): Promise<void>;
  /** The request ended without usage (failed before the upstream): returns the reservation and frees the slot. */
  release(ticket: Ticket): Promise<void>;
  /** Current usage; rejects with `LimiterUnavailableError` when Redis is unreachable. */
  read(request: ReadRequest): Promise<LimitsSnapshot>;
  /**
   * Settings changed by a config reload: the concurrency lease applies to slots taken and renewed from now on,
   * the fail mode (Redis only) to the next operation that cannot reach Redis.
   */
  reconfigure(settings: LimiterSettings): void;
  /** Stops lease renewal and timers; closes connections the limiter opened. Slots held are left to expire. */
  close(): Promise<void>;
}

export interface LimiterSettings {
  leaseMs: number;
  failMode?: FailMode | undefined;
}

/** `read` could not reach Redis: the caller answers 503 `gateway_unavailable`. */
export class LimiterUnavailableError extends Error {
  readonly code = "gateway_unavailable";
  readonly status = 503;
  constructor(cause: unknown) {
    super("limits are unavailable: Redis cannot be reached", { cause });
    this.name = "LimiterUnavailableError";
  }
}
