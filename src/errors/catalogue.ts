/**
 * The gateway's error catalogue. Every error a client can see has a code here, with its
 * HTTP status, whose fault it is, and whether retrying can help. The map is typed
 * exhaustively: a new code without a status does not compile.
 */
export type FaultDomain = "caller" | "policy" | "provider" | "gateway";

export interface ErrorCodeSpec {
  status: number;
  fault: FaultDomain;
  retryable: boolean;
  description: string;
}

export const errorCatalogue = {
  invalid_request: {
    status: 400,
    fault: "caller",
    retryable: false,
    description: "The request body or parameters are invalid; the message names the field.",
  },
  capability_missing: {
    status: 400,
    fault: "caller",
    retryable: false,
    description: "The model exists but cannot serve this route (for example chat on an embeddings model).",
  },
  unauthenticated: {
    status: 401,
    fault: "caller",
    retryable: false,
    description: "No token, or a token that is unknown, revoked or expired.",
  },
  forbidden: {
    status: 403,
    fault: "policy",
    retryable: false,
    description: "The caller's role does not allow this operation.",
  },
  model_not_allowed: {
    status: 403,
    fault: "policy",
    retryable: false,
    description: "The model is not in the caller's allowed models.",
  },
  no_usable_key: {
    status: 403,
    fault: "policy",
    retryable: false,
    description: "The provider needs a personal key the caller has not saved.",
  },
  not_found: { status: 404, fault: "caller", retryable: false, description: "No such route or resource." },
  model_not_found: {
    status: 404,
    fault: "caller",
    retryable: false,
    description: "No model with this ref or id is available to the caller.",
  },
  method_not_allowed: {
    status: 405,
    fault: "caller",
    retryable: false,
    description: "The route exists but not with this method.",
  },
  conflict: {
    status: 409,
    fault: "caller",
    retryable: false,
    description:
      "The change clashes with what exists (an id already taken, the last admin); the message says which.",
  },
  body_too_large: {
    status: 413,
    fault: "caller",
    retryable: false,
    description: "The request body is larger than server.bodyLimit.",
  },
  unsupported_media_type: {
    status: 415,
    fault: "caller",
    retryable: false,
    description: "The body is not JSON.",
  },
  headers_too_large: {
    status: 431,
    fault: "caller",
    retryable: false,
    description:
      "The request's headers are larger than the server accepts (Node's limit, 16 KiB by default).",
  },
  request_timeout: {
    status: 408,
    fault: "caller",
    retryable: true,
    description: "The request's headers did not arrive within the server's request timeout.",
  },
  rate_limited: {
    status: 429,
    fault: "policy",
    retryable: true,
    description:
      "A limit of the caller (requests, tokens, concurrency or budget) is reached; Retry-After says when to retry.",
  },
  client_closed: {
    status: 499,
    fault: "caller",
    retryable: false,
    description: "The client disconnected before the response was complete (recorded, never sent).",
  },
  internal_error: {
    status: 500,
    fault: "gateway",
    retryable: true,
    description: "An unexpected gateway failure; details are logged with the request id, never sent.",
  },
  not_implemented: {
    status: 501,
    fault: "gateway",
    retryable: false,
    description: "The configured provider type or credential mode is not supported by this build yet.",
  },
  upstream_error: {
    status: 502,
    fault: "provider",
    retryable: true,
    description: "The provider failed (5xx, malformed answer, or connection error).",
  },
  upstream_auth_failed: {
    status: 502,
    fault: "provider",
    retryable: false,
    description: "The provider refused the gateway's credentials (its 401/403); the key is never named.",
  },
  upstream_rate_limited: {
    status: 429,
    fault: "provider",
    retryable: true,
    description: "The provider rate-limited the gateway; its Retry-After is passed on.",
  },
  upstream_overloaded: {
    status: 503,
    fault: "provider",
    retryable: true,
    description: "The provider is overloaded (for example Anthropic's 529).",
  },
  upstream_unavailable: {
    status: 503,
    fault: "provider",
    retryable: true,
    description: "None of the provider's endpoints could be reached.",
  },
  gateway_unavailable: {
    status: 503,
    fault: "gateway",
    retryable: true,
    description: "A dependency of the gateway (store, Redis, actor source) is unavailable.",
  },
  upstream_timeout: {
    status: 504,
    fault: "provider",
    retryable: true,
    description: "The provider did not connect, answer or continue its stream in time.",
  },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The caller's limit that refused a request (a 429 `rate_limited`), for dialects that name it (Cody's text). */
export interface RefusingLimit {
  name: "requests" | "tokens" | "concurrency" | "budget";
  /** Its configured value: requests, tokens, slots, or USD. */
  value: number;
  /** When retrying may succeed (ms since the epoch). */
  resetAt: number;
}

export interface GatewayErrorOptions {
  /** The request field at fault, for invalid_request. */
  param?: string;
  limit?: RefusingLimit;
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly limit: RefusingLimit | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers;
    this.limit = options.limit;
  }
}
