/** The Anthropic error body (`{"type": "error", "error": {type, message}}`) for a canonical error. */
import type { CanonicalError, CanonicalErrorType } from "../canonical/errors.js";

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
