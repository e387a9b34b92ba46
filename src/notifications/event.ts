import type { Feature } from "../routing/feature.js";

/** Which counter passed a threshold: the actor's USD budget, or a feature's tokens per interval. */
export type QuotaKind = "budget" | "tokens";

/** The body of a `quota.threshold` webhook delivery (README "Quota notifications"). */
export interface QuotaThresholdEvent {
  type: "quota.threshold";
  /** Unique per notification; retries of one delivery carry the same id (receivers dedupe on it). */
  id: string;
  actorId: string;
  actorName: string;
  quota: QuotaKind;
  /** For `tokens` only: budgets span every feature. */
  feature?: Feature;
  /** Percent of the limit that was passed. */
  threshold: number;
  /** USD spent (budget) or tokens used (tokens) when the pass was seen. */
  usage: number;
  limit: number;
  /** The budget period or token window the usage counts in, ISO 8601. */
  period: { start: string; end: string };
  /** When the gateway saw the pass, ISO 8601. */
  at: string;
}

export type NotificationEvent = QuotaThresholdEvent;
