import { formatDuration } from "../config/index.js";
import type { Feature } from "../routing/feature.js";
import type { LimitsSnapshot, WindowUsage } from "./limiter.js";
import type { Counts, Plan, WindowPlan } from "./plan.js";

function windowUsage(window: WindowPlan, used: number): WindowUsage {
  return {
    limit: window.limit,
    intervalMs: window.intervalMs,
    usage: used,
    remaining: Math.max(0, window.limit - used),
    resetAt: window.resetAt,
  };
}

export function snapshot(plan: Plan, counts: Counts): LimitsSnapshot {
  const result: LimitsSnapshot = {};
  if (plan.requests) result.requests = windowUsage(plan.requests, counts.requests);
  if (plan.tokens) result.tokens = windowUsage(plan.tokens, counts.tokens);
  if (plan.concurrency) result.concurrent = { limit: plan.concurrency.limit, inUse: counts.inUse };
  if (plan.budget) {
    result.budget = {
      usd: plan.budget.usd,
      spentUsd: counts.spentMicro / 1e6,
      period: plan.budget.period,
      resetAt: plan.budget.resetAt,
    };
  }
  return result;
}

export interface FeatureLimitsInput {
  feature: Feature;
  snapshot: LimitsSnapshot;
  /** The caller's allowed model refs for this feature. */
  allowedModels: string[];
}

interface WindowView {
  limit: number;
  usage: number;
  remaining: number;
  resetAt: string;
}

export interface FeatureView {
  interval?: string;
  requests?: WindowView;
  tokens?: WindowView;
  concurrent?: { limit: number; inUse: number };
  allowedModels: string[];
}

export interface BudgetView {
  usd: number;
  spentUsd: number;
  period: string;
  resetAt: string;
}

export type LimitsView = { [feature: string]: FeatureView | BudgetView | undefined };

const view = (window: WindowUsage): WindowView => ({
  limit: window.limit,
  usage: window.usage,
  remaining: window.remaining,
  resetAt: new Date(window.resetAt).toISOString(),
});

/**
 * The body of `GET /v1/limits` (DESIGN §8): one entry per feature, plus `budget` when the
 * actor has one (it spans all features, so it is taken from the first snapshot carrying it).
 */
export function limitsView(features: FeatureLimitsInput[]): LimitsView {
  const body: LimitsView = {};
  for (const { feature, snapshot: current, allowedModels } of features) {
    const intervalMs = current.requests?.intervalMs ?? current.tokens?.intervalMs;
    // Key order as DESIGN §8 writes it, for readable responses.
    body[feature] = {
      ...(intervalMs !== undefined && { interval: formatDuration(intervalMs) }),
      ...(current.requests && { requests: view(current.requests) }),
      ...(current.tokens && { tokens: view(current.tokens) }),
      ...(current.concurrent && { concurrent: { ...current.concurrent } }),
      allowedModels,
    };
    if (current.budget && !body.budget) {
      body.budget = {
        usd: current.budget.usd,
        spentUsd: current.budget.spentUsd,
        period: current.budget.period,
        resetAt: new Date(current.budget.resetAt).toISOString(),
      };
    }
  }
  return body;
}
