import type { IncomingHttpHeaders } from "node:http";
import type { CircuitBreakers, CircuitChange, CircuitSettings } from "./circuit-breaker.js";

/** What a signer sees of one attempt, once its endpoint is chosen: the final bytes. */
export interface SigningRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/**
 * Signs one attempt (DESIGN §9, upstream auth as its own axis): the headers to add, e.g. SigV4's, which cover
 * host, path, query and the body's hash, or a bearer token that expires. Static keys need none: they travel in
 * the endpoint's `headers`, with no promise per request.
 */
export type AttemptSigner = (
  request: SigningRequest,
  signal?: AbortSignal,
) => Promise<Record<string, string>>;

/** One place a provider's API can be reached; `headers` override the request's (per-endpoint keys). */
export interface UpstreamEndpoint {
  url: string;
  headers?: Record<string, string> | undefined;
  sign?: AttemptSigner | undefined;
}

/** A request a provider adapter has fully prepared (URL, auth headers, body bytes). */
export interface UpstreamRequest {
  /** Names the provider in error messages, e.g. "anthropic". Never a URL or key. */
  providerName: string;
  /** Default "POST". */
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | undefined;
  /** One endpoint; or use `endpoints`. */
  url?: string | undefined;
  /** Several equivalent endpoints: load is spread over them and failover happens before the first byte. */
  endpoints?: readonly UpstreamEndpoint[] | undefined;
  headers?: Record<string, string> | undefined;
  body?: Buffer | Uint8Array | string | undefined;
  /** The upstream's model name: circuit breakers are kept per endpoint and model. */
  model?: string | undefined;
}

/** Extracts the human message from a provider's error body; undefined when there is none. */
export type ErrorMessageParser = (body: string) => string | undefined;

export interface SendOptions {
  /** Aborts the upstream request at once (client disconnect). */
  signal?: AbortSignal | undefined;
  /** Time to establish the connection (TCP and TLS); defaults to the client's. */
  connectTimeoutMs?: number | undefined;
  /** Time to response headers. Reasoning models need generous values. */
  firstByteTimeoutMs?: number | undefined;
  /** Longest silence between two body chunks; reset on every chunk. */
  idleTimeoutMs?: number | undefined;
  /** Credential values used in this request: scrubbed from every message that could reach the client. */
  secrets?: readonly string[] | undefined;
  /** Provider-specific error body parsing; defaults to the client's parser. */
  parseErrorMessage?: ErrorMessageParser | undefined;
  /**
   * Return a non-2xx final answer as a response instead of throwing the mapped GatewayError,
   * for adapters that must inspect it. Failover on 429/5xx still happens first.
   */
  returnErrorResponses?: boolean | undefined;
}

/** One try against one endpoint, for logs. `endpoint` is origin + path, never the query (keys live there). */
export interface UpstreamAttempt {
  endpoint: string;
  /** HTTP status when the upstream answered. */
  status?: number;
  /** Failure kind when it did not (or why the answer was refused), e.g. "connection: ECONNREFUSED". */
  error?: string;
  /** Scrubbed upstream error message, for logs only. */
  detail?: string;
  ms: number;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The endpoint that answered (origin + path). */
  endpoint: string;
  attempts: readonly UpstreamAttempt[];
  /** The body, chunk by chunk; throws an UpstreamError on idle timeout, reset or abort. */
  body: AsyncIterable<Buffer>;
  /** The whole body as bytes, at most `maxBytes` (default 32 MiB): relayed as is, no re-encoding. */
  bytes(maxBytes?: number): Promise<Buffer>;
  /** The whole body as UTF-8 text, at most `maxBytes` (default 32 MiB). */
  text(maxBytes?: number): Promise<string>;
  /** The whole body parsed as JSON, at most `maxBytes` (default 32 MiB). */
  json<T = unknown>(maxBytes?: number): Promise<T>;
  /** Releases the response without reading it (closes the upstream socket if data is pending). */
  cancel(): void;
}

export interface UpstreamClientOptions {
  /** Connections per upstream origin; default unlimited (long streams each hold one). */
  connectionsPerOrigin?: number | undefined;
  /** TCP (and TLS) connect timeout; default 10 s. */
  connectTimeoutMs?: number | undefined;
  /** Default time to response headers; default 60 s. */
  firstByteTimeoutMs?: number | undefined;
  /** Default idle time between body chunks; default 60 s. */
  idleTimeoutMs?: number | undefined;
  /** How long an idle keep-alive socket is kept; default 10 s (less if the upstream's keep-alive hint says so). */
  keepAliveTimeoutMs?: number | undefined;
  /** How long a failed endpoint is skipped; default 5 s. */
  cooldownMs?: number | undefined;
  /** Cap for `text()`/`json()`; default 32 MiB. */
  maxResponseBytes?: number | undefined;
  /** How much of an error body is read to find the message; default 64 KiB. */
  maxErrorBodyBytes?: number | undefined;
  /** Default error body parser; default `parseErrorMessage`. */
  parseErrorMessage?: ErrorMessageParser | undefined;
  /** Circuit breaker settings, read at each fault (so a reload applies); default 5 faults, 30 s cool-down. */
  circuitBreaker?: (() => CircuitSettings) | undefined;
  /** A circuit opened, half-opened or closed (logs). */
  onCircuitChange?: ((change: CircuitChange) => void) | undefined;
  /** The breakers' clock; default Date.now (tests). */
  clock?: (() => number) | undefined;
  /** Extra TLS options for connections (for example a private CA). */
  tls?: { ca?: string | Buffer | undefined; rejectUnauthorized?: boolean | undefined } | undefined;
}

export interface UpstreamClient {
  send(request: UpstreamRequest, options?: SendOptions): Promise<UpstreamResponse>;
  /** Waits for in-flight requests, then closes every connection. */
  close(): Promise<void>;
  /** Closes every connection now, failing in-flight requests. */
  destroy(): Promise<void>;
  /** This replica's circuit breakers (metrics read them). */
  readonly circuits?: CircuitBreakers;
}
