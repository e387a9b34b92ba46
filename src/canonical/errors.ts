/** Errors and warnings shared by every translator. */

/** Our API input was invalid; `field` is a path like `messages[2].content[0].type`. */
export interface FieldError {
  field: string;
  message: string;
  /** Refused even where the body would be passed through untranslated (validate.ts `refuse`). */
  fatal?: boolean;
}

/** A parameter the target dialect cannot express; logged and surfaced in a response header. */
export interface TranslationWarning {
  field: string;
  message: string;
}

export type ParseResult<T> =
  | { ok: true; request: T; warnings: TranslationWarning[] }
  | { ok: false; error: FieldError };

/** canonical → dialect request. Values out of the target's range are rejected, never clamped. */
export type BuildResult<T> =
  | { ok: true; body: T; warnings: TranslationWarning[] }
  | { ok: false; error: FieldError };

export type CanonicalErrorType =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "request_too_large"
  | "rate_limit"
  | "overloaded"
  | "timeout"
  | "api_error";

/** An error in dialect-neutral terms, rendered by each dialect's error builder. */
export interface CanonicalError {
  status: number;
  type: CanonicalErrorType;
  /** A machine code when one is known (`rate_limit_exceeded`, `context_length_exceeded`…). */
  code?: string | undefined;
  message: string;
  param?: string | undefined;
}

/** The canonical error type for an HTTP status (classify by status first: providers disagree on codes). */
export function errorTypeForStatus(status: number): CanonicalErrorType {
  if (status === 401) return "authentication";
  if (status === 403) return "permission";
  if (status === 404) return "not_found";
  if (status === 413) return "request_too_large";
  if (status === 408 || status === 504) return "timeout";
  if (status === 429) return "rate_limit";
  if (status === 503 || status === 529) return "overloaded";
  if (status >= 500) return "api_error";
  return "invalid_request";
}
