import type { Feature } from "../routing/feature.js";
import { calendarPeriod } from "./calendar.js";
import type { BudgetPeriod, FeaturePolicy } from "./policy.js";
import type { Usage } from "./types.js";

/**
 * Counters outlive their window by this much so a long request can still settle against the
 * window it reserved in; afterwards the correction is dropped (the window is over anyway).
 */
export const WINDOW_SLACK_MS = 10 * 60_000;
export const DEFAULT_LEASE_MS = 30_000;

export interface WindowPlan {
  key: string;
  limit: number;
  intervalMs: number;
  resetAt: number;
  ttlMs: number;
}

export interface TokensPlan extends WindowPlan {
  estimate: number;
}

export interface ConcurrencyPlan {
  key: string;
  limit: number;
  leaseMs: number;
}

export interface BudgetPlan {
  key: string;
  usd: number;
  period: BudgetPeriod;
  timeZone: string;
  limitMicro: number;
  estimateMicro: number;
  resetAt: number;
  ttlMs: number;
}

/** Everything one admission touches, computed from the clock alone (no coordination needed). */
export interface Plan {
  now: number;
  /** The actor's key prefix, hash tag included. */
  actor: string;
  requests?: WindowPlan;
  tokens?: TokensPlan;
  concurrency?: ConcurrencyPlan;
  budget?: BudgetPlan;
}

/** Money is counted in integer micro-USD so Redis can INCRBY it exactly. */
export const toMicroUsd = (usd: number): number => Math.max(0, Math.round(usd * 1e6));

/**
 * `{subject}` is a Redis Cluster hash tag: all keys of one actor live in one slot, so one Lua
 * script may touch them. The id is URI-encoded so braces or colons in it cannot collide.
 */
export function subjectPrefix(keyPrefix: string, subject: string): string {
  return `${keyPrefix}limits:{${encodeURIComponent(subject)}}:`;
}

interface WindowKey {
  intervalMs: number;
  index: number;
  key: string;
}

/** The key strings of one subject and feature. */
interface FeatureKeys {
  actor: string;
  base: string;
  concurrency: string;
  requests: WindowKey | undefined;
  tokens: WindowKey | undefined;
}

/** Subjects whose keys are kept; past this the cache starts over (actors are config, so it rarely is). */
const MAX_CACHED_SUBJECTS = 10_000;

/**
 * The counter keys of each subject and feature, built once and reused while their window lasts:
 * a key built afresh for every admission is a new string that each Map or Redis lookup hashes or
 * copies again, and building and hashing them was the larger part of an in-memory admission.
 */
export class PlanKeys {
  private readonly subjects = new Map<string, Map<Feature, FeatureKeys>>();

  constructor(readonly keyPrefix: string) {}

  of(subject: string, feature: Feature): FeatureKeys {
    let features = this.subjects.get(subject);
    if (!features) {
      if (this.subjects.size >= MAX_CACHED_SUBJECTS) this.subjects.clear();
      features = new Map();
      this.subjects.set(subject, features);
    }
    let keys = features.get(feature);
    if (!keys) {
      const actor = subjectPrefix(this.keyPrefix, subject);
      const base = `${actor}${feature}:`;
      keys = { actor, base, concurrency: `${base}c`, requests: undefined, tokens: undefined };
      features.set(feature, keys);
    }
    return keys;
  }
}

/**
 * Fixed windows aligned to multiples of the interval since the epoch: every replica computes
 * the same window from its clock, and the key carries the window index.
 */
function windowPlan(
  keys: FeatureKeys,
  kind: "r" | "t",
  limit: number,
  intervalMs: number,
  now: number,
): WindowPlan {
  const interval = Math.max(1, intervalMs);
  const index = Math.floor(now / interval);
  const resetAt = (index + 1) * interval;
  const field = kind === "r" ? "requests" : "tokens";
  let cached = keys[field];
  if (cached?.index !== index || cached.intervalMs !== interval) {
    cached = { intervalMs: interval, index, key: `${keys.base}${kind}:${interval}:${index}` };
    keys[field] = cached;
  }
  return {
    key: cached.key,
    limit,
    intervalMs: interval,
    resetAt,
    ttlMs: resetAt - now + WINDOW_SLACK_MS,
  };
}

export function buildPlan(
  planKeys: PlanKeys,
  subject: string,
  feature: Feature,
  policy: FeaturePolicy,
  estimate: Usage | undefined,
  leaseMs: number,
  now: number,
): Plan {
  const keys = planKeys.of(subject, feature);
  const actor = keys.actor;
  const plan: Plan = { now, actor };
  if (policy.requests) {
    plan.requests = windowPlan(keys, "r", policy.requests.limit, policy.requests.intervalMs, now);
  }
  if (policy.tokens) {
    const window = windowPlan(keys, "t", policy.tokens.limit, policy.tokens.intervalMs, now);
    plan.tokens = { ...window, estimate: Math.max(0, Math.ceil(estimate?.tokens ?? 0)) };
  }
  if (policy.concurrent !== undefined) {
    plan.concurrency = { key: keys.concurrency, limit: policy.concurrent, leaseMs };
  }
  if (policy.budget) {
    const { usd, period, timeZone } = policy.budget;
    const current = calendarPeriod(now, period, timeZone);
    plan.budget = {
      key: `${actor}b:${period}:${timeZone}:${current.id}`,
      usd,
      period,
      timeZone,
      limitMicro: toMicroUsd(usd),
      estimateMicro: toMicroUsd(estimate?.costUsd ?? 0),
      resetAt: current.endMs,
      ttlMs: current.endMs - now + WINDOW_SLACK_MS,
    };
  }
  return plan;
}

/** Counter values before this admission, as both backends read them. */
export interface Counts {
  requests: number;
  tokens: number;
  inUse: number;
  spentMicro: number;
}

export const FAIL_REQUESTS = 1;
export const FAIL_TOKENS = 2;
export const FAIL_CONCURRENCY = 4;
export const FAIL_BUDGET = 8;

/**
 * Which limits refuse, as a bit mask. A reservation is refused when the window is already used
 * up or when adding the estimate would pass the limit, so reservations never exceed a limit
 * (settled usage may, when the real usage beats the estimate). The Lua script mirrors this.
 */
export function failures(plan: Plan, counts: Counts): number {
  let mask = 0;
  if (plan.requests && counts.requests + 1 > plan.requests.limit) mask |= FAIL_REQUESTS;
  const tokens = plan.tokens;
  if (tokens && (counts.tokens >= tokens.limit || counts.tokens + tokens.estimate > tokens.limit)) {
    mask |= FAIL_TOKENS;
  }
  if (plan.concurrency && counts.inUse >= plan.concurrency.limit) mask |= FAIL_CONCURRENCY;
  const budget = plan.budget;
  if (
    budget &&
    (counts.spentMicro >= budget.limitMicro || counts.spentMicro + budget.estimateMicro > budget.limitMicro)
  ) {
    mask |= FAIL_BUDGET;
  }
  return mask;
}
