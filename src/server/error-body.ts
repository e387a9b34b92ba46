import { type ErrorCode, errorCatalogue } from "./errors.js";

/** The API dialect a route speaks; errors are written in it. */
export type ErrorDialect = "openai" | "anthropic";

export interface ErrorShape {
  code: ErrorCode;
  message: string;
  param?: string | undefined;
}

function openaiType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

function anthropicType(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** The JSON error body for a route's dialect (DESIGN §5). */
export function errorBody(dialect: ErrorDialect, error: ErrorShape): object {
  const status = errorCatalogue[error.code].status;
  if (dialect === "anthropic") {
    return { type: "error", error: { type: anthropicType(status), message: error.message } };
  }
  return {
    error: { message: error.message, type: openaiType(status), code: error.code, param: error.param ?? null },
  };
}
