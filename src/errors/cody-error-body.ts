/**
 * Errors as Cody Gateway writes them (reference/cody.md §1.5): JSON `{"error": "<message>"}` with the status,
 * except a refusal by the caller's limits, which is plain text naming the limit and when to retry, with
 * `x-ratelimit-limit`, `x-ratelimit-remaining: 0` and `retry-after` as an RFC 1123 date (not seconds).
 */
import type { GatewayError, RefusingLimit } from "./catalogue.js";

/** An error answer as an ingress writes it: status, body, its content type and headers of its own. */
export interface ErrorAnswer {
  status: number;
  contentType: string;
  body: string | object;
  headers?: Record<string, string>;
}

export interface CodyErrorBody {
  error: string;
}

const jsonType = "application/json; charset=utf-8";
const textType = "text/plain; charset=utf-8";

/** `Mon, 02 Jan 2006 15:04:05 GMT`: RFC 1123 as HTTP dates write it (Go's http.TimeFormat). */
export function rfc1123(at: number): string {
  return new Date(at).toUTCString();
}

function limitText(limit: RefusingLimit, codyFeature: string): string {
  switch (limit.name) {
    case "requests":
      return `you have exceeded the rate limit of ${limit.value} requests`;
    case "concurrency":
      return `you have exceeded the concurrency limit of ${limit.value} requests for "${codyFeature}"`;
    case "tokens":
      return `you have exceeded the token limit of ${limit.value} tokens`;
    case "budget":
      return `you have exceeded the budget of ${limit.value} USD`;
  }
}

/**
 * The answer for a gateway error on a Cody route. `codyFeature` is the request's feature in Cody's words
 * (`chat_completions`), named by the concurrency text.
 */
export function codyErrorAnswer(error: GatewayError, codyFeature: string, now: number): ErrorAnswer {
  if (error.code !== "rate_limited") {
    const body: CodyErrorBody = { error: error.message };
    return { status: error.status, contentType: jsonType, body };
  }
  const resetAt = error.limit?.resetAt ?? now + (error.retryAfterSeconds ?? 1) * 1000;
  // Go's http.Error ends its text with a newline.
  const text = error.limit
    ? `${limitText(error.limit, codyFeature)}. Retry after ${rfc1123(resetAt)}\n`
    : `${error.message}\n`;
  const headers: Record<string, string> = { "retry-after": rfc1123(resetAt), "x-ratelimit-remaining": "0" };
  if (error.limit) headers["x-ratelimit-limit"] = String(error.limit.value);
  return { status: 429, contentType: textType, body: text, headers };
}
