import type { Actor } from "../auth/actor.js";
import type { FeatureLimits } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import { refusalNow } from "../limits/dry-run.js";
import {
  isUnlimited,
  type Limiter,
  LimiterUnavailableError,
  type LimitsSnapshot,
  limitsView,
  policyFor,
} from "../limits/index.js";
import type { BudgetView, FeatureView } from "../limits/snapshot.js";
import type { Feature } from "../routing/feature.js";

export interface LimitsDeps {
  limiter: Pick<Limiter, "read">;
  /** `limits.defaults` and `limits.timeZone` of the running config. */
  defaults: () => FeatureLimits | undefined;
  timeZone: () => string;
  now?: () => number;
}

/** One feature's limits as `GET /v1/limits` shows them (its allowed models are under the model). */
export type LimitsExplained = { feature: Feature; unlimited: boolean } & Omit<
  Partial<FeatureView>,
  "allowedModels"
> & { budget?: BudgetView };

/** The refusal a request would meet at admission now. */
export interface LimitRefusal {
  code: "rate_limited";
  status: 429;
  message: string;
  retryAfterSeconds: number;
}

/**
 * The actor's limits for the feature and, from the counters as they stand, whether admission would refuse a
 * request now. Only `read`: explaining counts nothing and reserves nothing.
 */
export async function explainLimits(
  deps: LimitsDeps,
  actor: Actor,
  feature: Feature,
): Promise<{ view: LimitsExplained; refusal?: LimitRefusal }> {
  const policy = policyFor(actor.limits, actor.budget, deps.defaults(), feature, deps.timeZone());
  if (isUnlimited(policy)) return { view: { feature, unlimited: true } };
  const now = deps.now?.() ?? Date.now();
  let snapshot: LimitsSnapshot;
  try {
    snapshot = await deps.limiter.read({ subject: actor.id, feature, policy, now });
  } catch (error) {
    if (error instanceof LimiterUnavailableError)
      throw new GatewayError("gateway_unavailable", error.message);
    throw error;
  }
  const body = limitsView([{ feature, snapshot, allowedModels: [] }]);
  const { allowedModels: _unused, ...limits } = body[feature] as FeatureView;
  const view: LimitsExplained = {
    feature,
    unlimited: false,
    ...limits,
    ...(body.budget ? { budget: body.budget as BudgetView } : {}),
  };
  const refused = refusalNow(actor.id, feature, policy, snapshot, now);
  if (!refused) return { view };
  const { code, status, message, retryAfterSeconds } = refused;
  return { view, refusal: { code, status, message, retryAfterSeconds } };
}
