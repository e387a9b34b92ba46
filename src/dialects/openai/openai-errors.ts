/** OpenAI error bodies from upstreams, parsed leniently (building them is the errors floor's: src/errors/). */
import { type CanonicalError, errorTypeForStatus } from "../../canonical/errors.js";
import { isObject } from "../../canonical/validate.js";

function messageOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.message === "string") return body.message;
  // Mistral 422s: {"detail": [{"loc": [...], "msg": "..."}]}.
  if (Array.isArray(body.detail)) {
    return body.detail
      .map((item) => (isObject(item) && typeof item.msg === "string" ? item.msg : JSON.stringify(item)))
      .join("; ");
  }
  if (typeof body.detail === "string") return body.detail;
  return undefined;
}

/**
 * An upstream error body (OpenAI `{error:{…}}`, OpenRouter `{error:{code:<int>}}`, Mistral `{object:"error"}` or
 * `{detail}`, or text). The type comes from the HTTP status first: providers disagree on codes.
 */
export function openaiErrorToCanonical(status: number, body: unknown): CanonicalError {
  const inner = isObject(body) && isObject(body.error) ? body.error : isObject(body) ? body : {};
  // Mid-stream OpenRouter errors carry the HTTP-like status as a numeric code.
  const effectiveStatus =
    typeof inner.code === "number" && inner.code >= 400 && inner.code < 600 && status < 400
      ? inner.code
      : status;
  const message =
    messageOf(inner) ??
    (typeof body === "string" && body !== "" ? body : `upstream returned HTTP ${effectiveStatus}`);
  const error: CanonicalError = {
    status: effectiveStatus,
    type: errorTypeForStatus(effectiveStatus),
    message,
  };
  if (typeof inner.code === "string") error.code = inner.code;
  else if (typeof inner.type === "string") error.code = inner.type;
  if (typeof inner.param === "string") error.param = inner.param;
  return error;
}
