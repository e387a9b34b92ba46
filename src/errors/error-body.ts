import { errorTypeForStatus } from "../canonical/errors.js";
import { canonicalErrorToAnthropic } from "./anthropic-error-body.js";
import { type ErrorCode, errorCatalogue } from "./catalogue.js";
import { canonicalErrorToOpenAI } from "./openai-error-body.js";

/**
 * A JSON API dialect whose errors this writes (the Responses API uses OpenAI's error body). Cody Gateway's
 * errors, plain text for a 429, are its ingress's (cody-error-body.ts).
 */
export type ErrorDialect = "openai" | "anthropic" | "openai-responses";

export interface ErrorShape {
  code: ErrorCode;
  message: string;
  param?: string | undefined;
}

/**
 * The JSON error body for a route's dialect (DESIGN §5), through the same builders that write translated
 * upstream errors, so a gateway error and a provider's error of the same status look alike to the client.
 */
export function errorBody(dialect: ErrorDialect, error: ErrorShape): object {
  const status = errorCatalogue[error.code].status;
  const canonical = {
    status,
    type: errorTypeForStatus(status),
    code: error.code,
    message: error.message,
    param: error.param,
  };
  return dialect === "anthropic" ? canonicalErrorToAnthropic(canonical) : canonicalErrorToOpenAI(canonical);
}
