/**
 * How upstream answers and transport failures become client-facing errors (DESIGN §5, §8):
 * classified by HTTP status first, in the client's favour, never leaking credentials.
 * Pure functions, table-tested.
 */
import { scrubSecrets } from "./scrub.js";
import type { ErrorMessageParser } from "./types.js";
import { UpstreamError } from "./upstream-error.js";

/** Used when a 429 carries no usable Retry-After. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
const MAX_RETRY_AFTER_SECONDS = 86_400;
const MAX_MESSAGE_LENGTH = 1_000;

/** Response headers as undici and node:http give them. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export interface UpstreamStatusInput {
  status: number;
  headers?: HeaderBag | undefined;
  /** The (possibly truncated) error body as text. */
  body?: string | undefined;
  providerName: string;
  secrets?: readonly string[] | undefined;
  parseErrorMessage?: ErrorMessageParser | undefined;
  /** Clock for HTTP-date Retry-After; default Date.now(). */
  now?: number | undefined;
}

function header(headers: HeaderBag | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Seconds to wait from Retry-After (delta-seconds or HTTP date) or OpenAI's retry-after-ms,
 * rounded up; undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: HeaderBag | undefined, now = Date.now()): number | undefined {
  const milliseconds = header(headers, "retry-after-ms");
  if (milliseconds !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(milliseconds)) {
    return clampSeconds(Number(milliseconds) / 1000);
  }
  const value = header(headers, "retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return clampSeconds(Number(value));
  // An HTTP date has a weekday and month name; Date.parse would take "-5" as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return clampSeconds((date - now) / 1000);
}

function clampSeconds(seconds: number): number {
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil(seconds)));
}

function asText(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function messageOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return asText(value);
  if (Array.isArray(value)) return value.length > 0 ? messageOf(value[0]) : undefined;
  const record = value as Record<string, unknown>;
  // OpenAI {"error":{"message"}}, Anthropic {"type":"error","error":{"message"}}, Google {"error":{"message","status"}}
  const error = record.error;
  if (typeof error === "object" && error !== null) {
    const nested = messageOf(error);
    if (nested) return nested;
  }
  // {"error":"…"}, {"message":"…"}, FastAPI/vLLM {"detail":"…"} or {"detail":[{"msg"}]}
  return asText(error) ?? asText(record.message) ?? asText(record.msg) ?? messageOf(record.detail);
}

/** Lenient default: the known JSON error shapes, else the body as plain text (HTML pages are ignored). */
export function parseErrorMessage(body: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed === "") return undefined;
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return messageOf(JSON.parse(trimmed));
    } catch {
      // Truncated or not JSON after all: fall through to plain text.
    }
  }
  if (trimmed.startsWith("<")) return undefined;
  return trimmed;
}

function upstreamMessage(input: UpstreamStatusInput): string | undefined {
  if (!input.body) return undefined;
  let message: string | undefined;
  try {
    message = (input.parseErrorMessage ?? parseErrorMessage)(input.body);
  } catch {
    message = undefined;
  }
  if (!message) return undefined;
  const scrubbed = scrubSecrets(message, input.secrets);
  return scrubbed.length > MAX_MESSAGE_LENGTH ? `${scrubbed.slice(0, MAX_MESSAGE_LENGTH)}…` : scrubbed;
}

/** The scrubbed upstream message, for logs (attempt details). */
export function upstreamDetail(input: UpstreamStatusInput): string | undefined {
  return upstreamMessage(input);
}

/** True for answers worth trying on another endpoint: rate limits and server failures. */
export function isFailoverStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Maps a non-2xx upstream answer to the error the client sees. */
export function mapUpstreamStatus(input: UpstreamStatusInput): UpstreamError {
  const { status, providerName: provider } = input;
  if (status === 401 || status === 403) {
    // The upstream's message may echo our key: it goes nowhere near the client.
    return new UpstreamError(
      "upstream_auth_failed",
      `${provider} refused the gateway's credentials (HTTP ${status}); an administrator must check the provider key`,
    );
  }
  if (status === 429) {
    return new UpstreamError(
      "upstream_rate_limited",
      `${provider} is rate-limiting the gateway; retry later`,
      {
        retryAfterSeconds: parseRetryAfter(input.headers, input.now) ?? DEFAULT_RETRY_AFTER_SECONDS,
      },
    );
  }
  if (status === 503 || status === 529) {
    const retryAfterSeconds = parseRetryAfter(input.headers, input.now);
    return new UpstreamError(
      "upstream_overloaded",
      `${provider} is overloaded (HTTP ${status}); retry later`,
      {
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
    );
  }
  if (status === 408) {
    return new UpstreamError("upstream_timeout", `${provider} timed out handling the request (HTTP 408)`);
  }
  if (status >= 500) return new UpstreamError("upstream_error", `${provider} failed (HTTP ${status})`);
  if (status === 402) {
    return new UpstreamError(
      "upstream_error",
      `${provider} refused the request for billing reasons (HTTP 402); an administrator must check the account`,
    );
  }
  if (status === 405 || status === 406 || status === 415 || status < 400) {
    // The gateway built a request the upstream cannot take (wrong path or media type), or the
    // upstream answered with a redirect or informational status: not the caller's fault.
    return new UpstreamError("upstream_error", `${provider} answered unexpectedly (HTTP ${status})`);
  }
  // The caller's fault (400, 404, 409, 413, 422…): keep status and the provider's message.
  const message = upstreamMessage(input);
  const text = message ? `${provider}: ${message}` : `${provider} rejected the request (HTTP ${status})`;
  const code = status === 404 ? "not_found" : status === 413 ? "body_too_large" : "invalid_request";
  return new UpstreamError(code, text, { status });
}

/** What went wrong below HTTP. */
export type TransportFailureKind =
  | "aborted"
  | "connect_timeout"
  | "first_byte_timeout"
  | "idle_timeout"
  /** Refused, DNS, unreachable, TLS failure: nothing reached the upstream. */
  | "unreachable"
  /** The connection broke (reset, closed by the other side). */
  | "connection_lost"
  /** The request could not be sent as built: a header or URL the HTTP client refuses (nothing went out). */
  | "unsendable"
  | "other";

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_HAS_EXPIRED",
]);
const LOST_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

/** undici's and Node's refusals of a request as built (a header with CR/LF, a name with a space). */
const UNSENDABLE_CODES = new Set([
  "UND_ERR_INVALID_ARG",
  "UND_ERR_NOT_SUPPORTED",
  "ERR_INVALID_CHAR",
  "ERR_INVALID_HTTP_TOKEN",
]);

/**
 * Why the gateway could not send a request it built, for its log (undici names the header, never its value), or
 * undefined when `error` is not such a failure. The client is told only that the provider's configuration is at fault.
 */
export function unsendableReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause;
  const code = errorCode(cause);
  if (code === undefined || !UNSENDABLE_CODES.has(code)) return undefined;
  return cause instanceof Error ? cause.message : code;
}

/** The error code of a transport failure, looking through AggregateError (happy eyeballs) and causes. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const record = error as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof record.code === "string") return record.code;
  if (Array.isArray(record.errors) && record.errors.length > 0) return errorCode(record.errors[0]);
  return record.cause === undefined || record.cause === error ? undefined : errorCode(record.cause);
}

export function classifyTransportError(error: unknown): TransportFailureKind {
  const code = errorCode(error);
  if (code === "UND_ERR_CONNECT_TIMEOUT") return "connect_timeout";
  if (code === "UND_ERR_HEADERS_TIMEOUT") return "first_byte_timeout";
  if (code === "UND_ERR_BODY_TIMEOUT") return "idle_timeout";
  if (
    code === "UND_ERR_ABORTED" ||
    code === "ABORT_ERR" ||
    (error as Error | undefined)?.name === "AbortError"
  ) {
    return "aborted";
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return "unreachable";
  if (code !== undefined && LOST_CODES.has(code)) return "connection_lost";
  if (code !== undefined && UNSENDABLE_CODES.has(code)) return "unsendable";
  return "other";
}

/** True for failures where nothing was answered yet and another endpoint may do better. */
export function isFailoverFailure(kind: TransportFailureKind): boolean {
  return kind === "unreachable" || kind === "connect_timeout" || kind === "connection_lost";
}

/**
 * True for transport failures that count against the endpoint's circuit (they say the upstream is unwell). Not a request the HTTP client refused as built (a bad
 * header from our own config: nothing was sent, and opening the circuit would hide the clear 502 and its log line
 * behind "circuit open"), nor a failure of unknown kind, nor the client going away.
 */
export function isCircuitTransportFault(kind: TransportFailureKind): boolean {
  return (
    kind === "unreachable" ||
    kind === "connect_timeout" ||
    kind === "connection_lost" ||
    kind === "first_byte_timeout" ||
    kind === "idle_timeout"
  );
}

export interface TransportFailureInput {
  kind: TransportFailureKind;
  providerName: string;
  /** The timeout that fired, for the *_timeout kinds. */
  timeoutMs?: number | undefined;
  /** True when the response had started (headers received): the stream broke off. */
  midStream?: boolean | undefined;
  /** True when every endpoint was tried and none could be reached. */
  allEndpointsDown?: boolean | undefined;
  endpointCount?: number | undefined;
}

function seconds(milliseconds: number | undefined): string {
  if (milliseconds === undefined) return "the allowed time";
  const value = milliseconds / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}

/** Maps a transport failure to the error the client sees. Never includes hosts, URLs or raw error text. */
export function mapTransportFailure(input: TransportFailureInput): UpstreamError {
  const { providerName: provider, timeoutMs } = input;
  switch (input.kind) {
    case "aborted":
      return new UpstreamError("client_closed", `the client closed the request to ${provider}`);
    case "connect_timeout":
      return new UpstreamError(
        "upstream_timeout",
        `${provider} did not accept a connection within ${seconds(timeoutMs)} (connect timeout)`,
      );
    case "first_byte_timeout":
      return new UpstreamError(
        "upstream_timeout",
        `${provider} did not answer within ${seconds(timeoutMs)} (time-to-first-byte timeout)`,
      );
    case "idle_timeout":
      return new UpstreamError(
        "upstream_timeout",
        `${provider} did not send data for ${seconds(timeoutMs)} mid-response (idle timeout)`,
      );
    case "unsendable":
      return new UpstreamError(
        "upstream_error",
        `the gateway could not build a valid request to ${provider}: a header or URL from its configuration is invalid (the gateway's log names it)`,
      );
    default:
      if (input.allEndpointsDown) {
        const count = input.endpointCount ?? 1;
        return new UpstreamError(
          "upstream_unavailable",
          `${provider} is unavailable: none of its ${count} endpoints could be reached`,
        );
      }
      if (input.midStream) {
        return new UpstreamError("upstream_error", `${provider}'s response broke off (connection lost)`);
      }
      return new UpstreamError(
        "upstream_error",
        input.kind === "unreachable"
          ? `could not connect to ${provider}`
          : `the connection to ${provider} failed before it answered`,
      );
  }
}
