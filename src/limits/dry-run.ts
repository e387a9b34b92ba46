import type { Feature } from "../routing/feature.js";
import { refused } from "./decision.js";
import type { LimitsSnapshot, Refused } from "./limiter.js";
import { buildPlan, type Counts, DEFAULT_LEASE_MS, failures, PlanKeys, toMicroUsd } from "./plan.js";
import type { FeaturePolicy } from "./policy.js";

/**
 * The refusal a request would get now, from counters `read` at `now` (undefined: it would be admitted), for
 * `explain`: the limiter's own decision over what it read, so nothing is counted or reserved to find out. It
 * answers for a request that reserves nothing; a real one also reserves its estimated tokens and cost, and
 * may be refused for them.
 */
export function refusalNow(
  subject: string,
  feature: Feature,
  policy: FeaturePolicy,
  current: LimitsSnapshot,
  now: number,
): Refused | undefined {
  const plan = buildPlan(new PlanKeys(""), subject, feature, policy, undefined, DEFAULT_LEASE_MS, now);
  const counts: Counts = {
    requests: current.requests?.usage ?? 0,
    tokens: current.tokens?.usage ?? 0,
    inUse: current.concurrent?.inUse ?? 0,
    spentMicro: toMicroUsd(current.budget?.spentUsd ?? 0),
  };
  const mask = failures(plan, counts);
  return mask === 0 ? undefined : refused(plan, counts, mask, feature);
}
