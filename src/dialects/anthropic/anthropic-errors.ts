/** Anthropic error bodies from upstreams, parsed leniently (building them is the errors floor's: src/errors/). */
import { type CanonicalError, errorTypeForStatus } from "../../canonical/errors.js";
import { isObject, ownEntry } from "../../canonical/validate.js";

/**
 * An upstream error body `{type:"error", error:{type, message}}` (also the stream `error` event, where the
 * status is 200 and the type decides: `overloaded_error` is a 529).
 */
export function anthropicErrorToCanonical(status: number, body: unknown): CanonicalError {
  const inner = isObject(body) && isObject(body.error) ? body.error : isObject(body) ? body : {};
  const code = typeof inner.type === "string" ? inner.type : undefined;
  let effectiveStatus = status;
  if (status < 400) effectiveStatus = ownEntry(statusForType, code ?? "") ?? 500;
  const message =
    typeof inner.message === "string"
      ? inner.message
      : typeof body === "string" && body !== ""
        ? body
        : `upstream returned HTTP ${effectiveStatus}`;
  const error: CanonicalError = {
    status: effectiveStatus,
    type: errorTypeForStatus(effectiveStatus),
    message,
  };
  if (code !== undefined) error.code = code;
  return error;
}

const statusForType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};
