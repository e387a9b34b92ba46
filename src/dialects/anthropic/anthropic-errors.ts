/** Anthropic error bodies: built from a canonical error, and parsed (leniently) from upstreams. */
import { type CanonicalError, type CanonicalErrorType, errorTypeForStatus } from "../../canonical/errors.js";
import { isObject } from "../../canonical/validate.js";

const anthropicTypes: Record<CanonicalErrorType, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  overloaded: "overloaded_error",
  timeout: "timeout_error",
  api_error: "api_error",
};

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

export function canonicalErrorToAnthropic(error: CanonicalError): AnthropicErrorBody {
  const type = error.status === 402 ? "billing_error" : anthropicTypes[error.type];
  return { type: "error", error: { type, message: error.message } };
}

/**
 * An upstream error body `{type:"error", error:{type, message}}` (also the stream `error` event, where the
 * status is 200 and the type decides: `overloaded_error` is a 529).
 */
export function anthropicErrorToCanonical(status: number, body: unknown): CanonicalError {
  const inner = isObject(body) && isObject(body.error) ? body.error : isObject(body) ? body : {};
  const code = typeof inner.type === "string" ? inner.type : undefined;
  let effectiveStatus = status;
  if (status < 400) effectiveStatus = statusForType[code ?? ""] ?? 500;
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
