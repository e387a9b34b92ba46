import type { FeatureLimits } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import type { AdmissionContext, AdmissionTicket, ProxyDeps, RequestOutcome } from "../proxy/proxy-deps.js";
import { costUsd, estimateCostUsd } from "../usage/cost.js";
import { rateLimitHeaders } from "./headers.js";
import type { Admission, Limiter, LimitName } from "./limiter.js";
import { isUnlimited, policyFor } from "./policy.js";

export interface AdmissionSettings {
  limiter: Limiter;
  /** `limits.defaults` and `limits.timeZone` of the running config (they change on reload). */
  defaults: () => FeatureLimits | undefined;
  timeZone: () => string;
  /** Sees each refusal by a limit (metrics: which limit refuses how often). */
  onRefused?: (limit: LimitName, context: AdmissionContext) => void;
}

/**
 * The admit step of the request path (DESIGN §2), after authorization (`route()`): one limiter call
 * takes a concurrency slot, counts the request and reserves the token and USD estimate (429 with
 * Retry-After when a limit is reached). The returned ticket settles real usage, or releases the
 * reservation, when the request ends (the exchange's end calls `finish` exactly once).
 */
export function createAdmission(settings: AdmissionSettings): NonNullable<ProxyDeps["admit"]> {
  const { limiter } = settings;
  const admitted = (
    admission: Admission,
    context: AdmissionContext,
    pricing: AdmissionContext["model"]["pricing"],
  ): AdmissionTicket => {
    const headers = rateLimitHeaders(admission.state);
    if (!admission.admitted) {
      if (admission.code === "rate_limited") settings.onRefused?.(admission.limit, context);
      throw new GatewayError(admission.code, admission.message, {
        retryAfterSeconds: admission.retryAfterSeconds,
        headers,
        // Which limit refused, for ingresses whose text names it (Cody's plain-text 429).
        ...(admission.code === "rate_limited" && {
          limit: { name: admission.limit, value: admission.value, resetAt: admission.resetAt },
        }),
      });
    }
    for (const name in headers) context.setHeader(name, headers[name]!);
    const { ticket } = admission;
    return {
      finish(outcome: RequestOutcome) {
        // A billed request that ended without usage has the estimate by now (the lane's end, estimateMissingUsage).
        const usage = outcome.usage;
        if (usage) {
          void limiter.settle(ticket, {
            tokens: usage.inputTokens + usage.outputTokens,
            costUsd: costUsd(usage, pricing),
          });
        } else {
          void limiter.release(ticket);
        }
      },
    };
  };
  // Not an async function: with the in-memory limiter the common case completes synchronously
  // (the handler awaits only a promise), so the request path takes no extra microtask turns.
  return (context: AdmissionContext): AdmissionTicket | undefined | Promise<AdmissionTicket | undefined> => {
    const actor = context.principal?.actor;
    if (!actor) return undefined;
    const policy = policyFor(
      actor.limits,
      actor.budget,
      settings.defaults(),
      context.feature,
      settings.timeZone(),
    );
    if (isUnlimited(policy)) return undefined;
    const pricing = context.model.pricing;
    const estimate = {
      tokens: context.estimatedInputTokens + context.maxOutputTokens,
      costUsd: estimateCostUsd(context.estimatedInputTokens, context.maxOutputTokens, pricing),
    };
    const admission = limiter.admit({ subject: actor.id, feature: context.feature, policy, estimate });
    return admission instanceof Promise
      ? admission.then((result) => admitted(result, context, pricing))
      : admitted(admission, context, pricing);
  };
}
