import type { LimitsSnapshot } from "../limits/index.js";
import type { Feature } from "../routing/feature.js";
import type { QuotaKind } from "./event.js";

/** One quota's counter at a read: what it is, how full, and the period it counts in. */
export interface QuotaReading {
  quota: QuotaKind;
  feature?: Feature;
  usage: number;
  limit: number;
  startMs: number;
  endMs: number;
}

/** The thresholds (percent, ascending) that `usage` of `limit` has reached or passed. */
export function passedThresholds(usage: number, limit: number, thresholds: readonly number[]): number[] {
  if (!(limit > 0)) return [];
  // Compared as usage × 100 ≥ threshold × limit: a division would put 80% of 0.3 USD at 79.999…
  return thresholds.filter((threshold) => usage * 100 >= threshold * limit - 1e-9);
}

/** The budget reading of a snapshot (the period starts at `budgetStartMs`, from the calendar). */
export function budgetReading(snapshot: LimitsSnapshot, budgetStartMs: number): QuotaReading | undefined {
  const budget = snapshot.budget;
  if (!budget) return undefined;
  return {
    quota: "budget",
    usage: budget.spentUsd,
    limit: budget.usd,
    startMs: budgetStartMs,
    endMs: budget.resetAt,
  };
}

/** The token reading of a feature's snapshot: its fixed window ends at `resetAt`. */
export function tokensReading(snapshot: LimitsSnapshot, feature: Feature): QuotaReading | undefined {
  const tokens = snapshot.tokens;
  if (!tokens) return undefined;
  return {
    quota: "tokens",
    feature,
    usage: tokens.usage,
    limit: tokens.limit,
    startMs: tokens.resetAt - tokens.intervalMs,
    endMs: tokens.resetAt,
  };
}
