/** The OpenAI error body (`{"error": {message, type, code, param}}`) for a canonical error. */
import type { CanonicalError, CanonicalErrorType } from "../canonical/errors.js";

const openaiTypes: Record<CanonicalErrorType, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "invalid_request_error",
  rate_limit: "rate_limit_error",
  overloaded: "api_error",
  timeout: "api_error",
  api_error: "api_error",
};

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

export function canonicalErrorToOpenAI(error: CanonicalError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: openaiTypes[error.type],
      code: error.code ?? null,
      param: error.param ?? null,
    },
  };
}
