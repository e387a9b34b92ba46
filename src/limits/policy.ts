import type { FeatureLimits, Limit } from "../config/index.js";
import type { Feature } from "../routing/feature.js";

export type BudgetPeriod = "day" | "week" | "month";

export interface WindowLimit {
  limit: number;
  intervalMs: number;
}

export interface BudgetPolicy {
  usd: number;
  period: BudgetPeriod;
  /** IANA zone the calendar period is aligned to (`limits.timeZone`). */
  timeZone: string;
}

/**
 * The limits that apply to one actor and one feature, resolved from config: plain data,
 * so the limiter needs no knowledge of the config shapes. An absent field is no limit.
 */
export interface FeaturePolicy {
  requests?: WindowLimit;
  tokens?: WindowLimit;
  concurrent?: number;
  /** Per actor across all features: every feature's policy carries the same budget. */
  budget?: BudgetPolicy;
}

export interface ActorBudget {
  usd: number;
  period: BudgetPeriod;
}

/**
 * The policy of one feature. The most specific entry applies as a whole, in this order:
 * the actor's entry for the feature, the actor's `*`, `limits.defaults` for the feature,
 * `limits.defaults["*"]`. Whole entries (not field-by-field merging) because an entry has one
 * `interval` shared by its `requests` and `tokens`. `*` is a template: each feature gets its own
 * counters. The budget is the actor's own, shared by all features.
 */
export function policyFor(
  actorLimits: FeatureLimits | undefined,
  actorBudget: ActorBudget | undefined,
  defaults: FeatureLimits | undefined,
  feature: Feature,
  timeZone: string,
): FeaturePolicy {
  const entry = actorLimits?.[feature] ?? actorLimits?.["*"] ?? defaults?.[feature] ?? defaults?.["*"];
  const policy = entry ? fromLimit(entry) : {};
  if (actorBudget) policy.budget = { usd: actorBudget.usd, period: actorBudget.period, timeZone };
  return policy;
}

function fromLimit(entry: Limit): FeaturePolicy {
  const policy: FeaturePolicy = {};
  const intervalMs = entry.interval;
  if (entry.requests !== undefined && intervalMs !== undefined) {
    policy.requests = { limit: entry.requests, intervalMs };
  }
  if (entry.tokens !== undefined && intervalMs !== undefined) {
    policy.tokens = { limit: entry.tokens, intervalMs };
  }
  if (entry.concurrent !== undefined) policy.concurrent = entry.concurrent;
  return policy;
}

/** True when the policy limits nothing, so admission needs no counter at all. */
export function isUnlimited(policy: FeaturePolicy): boolean {
  return (
    policy.requests === undefined &&
    policy.tokens === undefined &&
    policy.concurrent === undefined &&
    policy.budget === undefined
  );
}
