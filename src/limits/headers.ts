import type { LimitState, WindowState } from "./limiter.js";

/**
 * A duration as OpenAI writes `x-ratelimit-reset-*` (Go's `time.Duration` format at millisecond
 * precision): `0s`, `250ms`, `1s`, `1.5s`, `6m0s`, `1h0m0s`. Clients that parse OpenAI's headers
 * parse ours.
 */
export function formatResetDuration(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds));
  if (total === 0) return "0s";
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const whole = Math.floor(millis / 1000);
  const fraction = millis % 1000;
  const seconds =
    fraction === 0 ? `${whole}` : `${whole}.${String(fraction).padStart(3, "0").replace(/0+$/, "")}`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

const names = {
  requests: ["x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"],
  tokens: ["x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"],
} as const;

function put(
  headers: Record<string, string>,
  kind: keyof typeof names,
  now: number,
  window: WindowState,
): void {
  const [limit, remaining, reset] = names[kind];
  headers[limit] = String(window.limit);
  headers[remaining] = String(window.remaining);
  headers[reset] = formatResetDuration(window.resetAt - now);
}

/**
 * The `x-ratelimit-*` headers of a response: the requests and tokens trios, for the limits that
 * apply. Sent on admitted and refused responses alike; `Retry-After` is the refusal's own.
 */
export function rateLimitHeaders(state: LimitState): Record<string, string> {
  const headers: Record<string, string> = {};
  if (state.requests) put(headers, "requests", state.now, state.requests);
  if (state.tokens) put(headers, "tokens", state.now, state.tokens);
  return headers;
}
