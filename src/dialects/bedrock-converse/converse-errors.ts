/**
 * Bedrock Runtime errors → canonical (wire-formats §6.9). The error type is in the `x-amzn-errortype` header
 * (`ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/`), in the body's `__type` when an
 * SDK normalised it, or, in a stream, the exception event's type (`throttlingException`).
 */
import { type CanonicalError, errorTypeForStatus } from "../../canonical/errors.js";
import { isObject, ownEntry } from "../../canonical/validate.js";

/** HTTP status per exception, for errors that arrive inside a 200 stream. */
const statusForType: Record<string, number> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ExpiredTokenException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

/**
 * `ThrottlingException`, from `ThrottlingException:http://…` (a header), `com.amazon.coral…#ThrottlingException`
 * (a `__type`) or `throttlingException` (a stream event).
 */
export function converseErrorType(value: string): string {
  const name = value.split(":")[0]?.split("#").pop()?.trim() ?? "";
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * An upstream error. `status` is the HTTP status (200 for a stream's exception event, where the type decides);
 * `errorType` is the `x-amzn-errortype` header or the stream event type. A model's own failure (424, Failed
 * Dependency, a status no client expects) takes the model's status when Bedrock passes it on, else 502.
 */
export function converseErrorToCanonical(status: number, body: unknown, errorType?: string): CanonicalError {
  const object = isObject(body) ? body : {};
  const rawType = errorType ?? (typeof object.__type === "string" ? object.__type : undefined);
  const code = rawType === undefined || rawType === "" ? undefined : converseErrorType(rawType);
  let effectiveStatus = status >= 400 ? status : (ownEntry(statusForType, code ?? "") ?? 500);
  if (effectiveStatus === 424) {
    const original = object.originalStatusCode;
    effectiveStatus = typeof original === "number" && original >= 400 && original < 600 ? original : 502;
  }
  const text = object.message ?? object.Message;
  const message =
    typeof text === "string" && text !== ""
      ? text
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
