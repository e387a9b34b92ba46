import type { ErrorCode } from "../errors/index.js";

/**
 * The gateway's code for a failure a provider reported inside an answer it had begun (a stream's error event, a
 * whole answer that decodes to an error), by the status the provider gives it: the client sees the catalogue's
 * code, as for every other error, with the provider's message.
 */
export function providerFailureCode(status: number): ErrorCode {
  if (status === 429) return "upstream_rate_limited";
  if (status === 503 || status === 529) return "upstream_overloaded";
  if (status === 408 || status === 504) return "upstream_timeout";
  // The caller's request, refused after all (a blocked prompt, a validation error inside a stream).
  if (status >= 400 && status < 500) return "invalid_request";
  return "upstream_error";
}
