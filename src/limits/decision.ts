import { formatDuration } from "../config/index.js";
import type { Feature } from "../routing/feature.js";
import type { Admitted, LimitName, LimitState, Refused, Unavailable } from "./limiter.js";
import { type Counts, FAIL_BUDGET, FAIL_CONCURRENCY, FAIL_REQUESTS, FAIL_TOKENS, type Plan } from "./plan.js";
import type { Ticket } from "./ticket.js";

/** A concurrency refusal cannot know when a slot frees; a second is the usual request grain. */
const CONCURRENCY_RETRY_MS = 1_000;

/** Header state after admitting (`admitted`) or as it stands (refused). */
export function limitState(plan: Plan, counts: Counts, admitted: boolean): LimitState {
  const state: LimitState = { now: plan.now };
  if (plan.requests) {
    const used = counts.requests + (admitted ? 1 : 0);
    state.requests = {
      limit: plan.requests.limit,
      remaining: Math.max(0, plan.requests.limit - used),
      resetAt: plan.requests.resetAt,
    };
  }
  if (plan.tokens) {
    const used = counts.tokens + (admitted ? plan.tokens.estimate : 0);
    state.tokens = {
      limit: plan.tokens.limit,
      remaining: Math.max(0, plan.tokens.limit - used),
      resetAt: plan.tokens.resetAt,
    };
  }
  return state;
}

export function admitted(plan: Plan, counts: Counts, ticket: Ticket): Admitted {
  return { admitted: true, ticket, state: limitState(plan, counts, true) };
}

export const retryAfterSeconds = (now: number, resetAt: number): number =>
  Math.max(1, Math.ceil((resetAt - now) / 1000));

const usd = (micro: number): string => `$${(micro / 1e6).toFixed(2)}`;

function when(now: number, resetAt: number): string {
  return `resets at ${new Date(resetAt).toISOString()} (in ${retryAfterSeconds(now, resetAt)}s)`;
}

interface Candidate {
  limit: LimitName;
  value: number;
  resetAt: number;
  message: string;
}

function candidates(plan: Plan, counts: Counts, mask: number, feature: Feature): Candidate[] {
  const { now } = plan;
  const found: Candidate[] = [];
  if (mask & FAIL_CONCURRENCY && plan.concurrency) {
    const { limit } = plan.concurrency;
    found.push({
      limit: "concurrency",
      value: limit,
      resetAt: now + CONCURRENCY_RETRY_MS,
      message: `concurrency limit reached: ${limit} concurrent ${feature} requests are already in progress; retry when one finishes`,
    });
  }
  if (mask & FAIL_REQUESTS && plan.requests) {
    const { limit, intervalMs, resetAt } = plan.requests;
    found.push({
      limit: "requests",
      value: limit,
      resetAt,
      message: `request limit reached: ${limit} ${feature} requests per ${formatDuration(intervalMs)}; ${when(now, resetAt)}`,
    });
  }
  if (mask & FAIL_TOKENS && plan.tokens) {
    const { limit, intervalMs, resetAt, estimate } = plan.tokens;
    const per = `${limit} ${feature} tokens per ${formatDuration(intervalMs)}`;
    found.push({
      limit: "tokens",
      value: limit,
      resetAt,
      message:
        estimate > limit
          ? `token limit: this request may use up to ${estimate} tokens, more than the whole limit of ${per}; lower max_tokens or shorten the input`
          : `token limit reached: ${per} (used ${counts.tokens}, this request may use up to ${estimate}); ${when(now, resetAt)}`,
    });
  }
  if (mask & FAIL_BUDGET && plan.budget) {
    const { usd: value, period, timeZone, resetAt, limitMicro, estimateMicro } = plan.budget;
    found.push({
      limit: "budget",
      value,
      resetAt,
      message:
        estimateMicro > limitMicro
          ? `budget: this request may cost up to ${usd(estimateMicro)}, more than the whole budget of ${usd(limitMicro)} per ${period}`
          : `budget reached: ${usd(limitMicro)} per ${period} (spent ${usd(counts.spentMicro)}, ${timeZone} calendar); ${when(now, resetAt)}`,
    });
  }
  return found;
}

/**
 * The refusal names the failing limit that resets last, so `Retry-After` is not an invitation
 * to be refused again by another limit that is also exhausted.
 */
export function refused(plan: Plan, counts: Counts, mask: number, feature: Feature): Refused {
  const found = candidates(plan, counts, mask, feature);
  let chosen = found[0]!;
  for (const candidate of found) if (candidate.resetAt > chosen.resetAt) chosen = candidate;
  return {
    admitted: false,
    code: "rate_limited",
    status: 429,
    limit: chosen.limit,
    value: chosen.value,
    resetAt: chosen.resetAt,
    retryAfterSeconds: retryAfterSeconds(plan.now, chosen.resetAt),
    message: chosen.message,
    state: limitState(plan, counts, false),
  };
}

const NO_COUNTS: Counts = { requests: 0, tokens: 0, inUse: 0, spentMicro: 0 };

/**
 * Fail open: the request goes through uncounted. The headers still show the limits and their
 * reset times (computed locally); `remaining` cannot be known and shows the full limit.
 */
export function degradedState(plan: Plan): LimitState {
  const state = limitState(plan, NO_COUNTS, false);
  state.degraded = true;
  return state;
}

export function unavailable(plan: Plan): Unavailable {
  return {
    admitted: false,
    code: "gateway_unavailable",
    status: 503,
    retryAfterSeconds: 1,
    message: "limits cannot be checked because Redis is unreachable; retry shortly",
    state: degradedState(plan),
  };
}
