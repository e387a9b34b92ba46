/**
 * Google API error bodies `{error: {code, message, status, details}}` (wire-formats §4.5), read leniently, and
 * the prompt-blocked answer, which Gemini sends as a 200 with `promptFeedback.blockReason` and no candidates.
 */
import { type CanonicalError, errorTypeForStatus } from "../../canonical/errors.js";
import { isObject, type JsonObject, ownEntry } from "../../canonical/validate.js";

// google.rpc.Code names as Google's HTTP APIs map them.
const statusForCode: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  DATA_LOSS: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** The `error` object of a body; without alt=sse a streamed error comes wrapped in a JSON array. */
function innerError(body: unknown): JsonObject {
  const first = Array.isArray(body) ? body[0] : body;
  if (isObject(first) && isObject(first.error)) return first.error;
  return isObject(first) ? first : {};
}

function details(error: JsonObject): JsonObject[] {
  return Array.isArray(error.details) ? error.details.filter(isObject) : [];
}

function detailOf(error: JsonObject, type: string): JsonObject | undefined {
  return details(error).find((detail) => String(detail["@type"] ?? "").endsWith(`google.rpc.${type}`));
}

/**
 * An upstream error body. The HTTP status decides when it is an error status; inside a 200 stream the body's own
 * `code` (an HTTP status) or its `status` name does. `code` is Google's status name (`RESOURCE_EXHAUSTED`),
 * `param` the first field a `google.rpc.BadRequest` detail names.
 */
export function geminiErrorToCanonical(status: number, body: unknown): CanonicalError {
  const error = innerError(body);
  const name = typeof error.status === "string" ? error.status : undefined;
  let effectiveStatus = status;
  if (status < 400) {
    effectiveStatus =
      typeof error.code === "number" && error.code >= 400 && error.code < 600
        ? error.code
        : (ownEntry(statusForCode, name ?? "") ?? 500);
  }
  const message =
    typeof error.message === "string" && error.message !== ""
      ? error.message
      : typeof body === "string" && body !== ""
        ? body
        : `upstream returned HTTP ${effectiveStatus}`;
  const result: CanonicalError = {
    status: effectiveStatus,
    type: errorTypeForStatus(effectiveStatus),
    message,
  };
  if (name !== undefined) result.code = name;
  const violations = detailOf(error, "BadRequest")?.fieldViolations;
  const first = Array.isArray(violations) ? violations.find(isObject) : undefined;
  if (first && typeof first.field === "string") result.param = first.field;
  return result;
}

/**
 * Seconds to wait from a `google.rpc.RetryInfo` detail (`"retryDelay": "34.4s"`, rounded up), which Google
 * sends instead of a Retry-After header; undefined when there is none. CanonicalError has no field for it, so
 * the caller reads it beside the error.
 */
export function geminiRetryAfterSeconds(body: unknown): number | undefined {
  const delay = detailOf(innerError(body), "RetryInfo")?.retryDelay;
  let seconds: number | undefined;
  if (typeof delay === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(delay);
    if (match) seconds = Number(match[1]);
  } else if (isObject(delay)) {
    // The protobuf JSON object form of a Duration.
    const whole = Number(delay.seconds ?? 0);
    const nanos = Number(delay.nanos ?? 0);
    if (Number.isFinite(whole) && Number.isFinite(nanos)) seconds = whole + nanos / 1e9;
  }
  return seconds === undefined || seconds < 0 ? undefined : Math.ceil(seconds);
}

/** A blocked prompt (`promptFeedback.blockReason`): the caller's input was refused, so a 400. */
export function geminiPromptBlockedError(feedback: JsonObject): CanonicalError {
  const reason = String(feedback.blockReason);
  const detail =
    typeof feedback.blockReasonMessage === "string" && feedback.blockReasonMessage !== ""
      ? `: ${feedback.blockReasonMessage}`
      : "";
  return {
    status: 400,
    type: "invalid_request",
    code: "content_filter",
    message: `Gemini blocked the prompt (${reason})${detail}`,
  };
}
