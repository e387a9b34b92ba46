/**
 * The HTTP layer every provider shares: pooled keep-alive connections per upstream origin,
 * connect / first-byte / idle timeouts, load spreading and failover over several endpoints
 * before the first byte, cancellation, and upstream errors mapped for the client.
 */
import type { IncomingHttpHeaders } from "node:http";
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { GatewayError } from "../errors/index.js";
import { callTraceOf } from "./call-trace.js";
import { CIRCUIT_DEFAULTS, type Circuit, CircuitBreakers, isCircuitFault } from "./circuit-breaker.js";
import { EndpointPicker, type EndpointState } from "./endpoint-picker.js";
import {
  classifyTransportError,
  errorCode,
  isCircuitTransportFault,
  isFailoverFailure,
  isFailoverStatus,
  mapTransportFailure,
  mapUpstreamStatus,
  parseErrorMessage,
  type TransportFailureKind,
  upstreamDetail,
} from "./error-mapping.js";
import { UpstreamBody, UpstreamResponseImpl } from "./response-body.js";
import { scrubSecrets } from "./scrub.js";
import type {
  SendOptions,
  UpstreamAttempt,
  UpstreamClient,
  UpstreamClientOptions,
  UpstreamEndpoint,
  UpstreamRequest,
  UpstreamResponse,
} from "./types.js";
import { UpstreamError } from "./upstream-error.js";

export const UPSTREAM_DEFAULTS = {
  connectTimeoutMs: 10_000,
  firstByteTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 10_000,
  cooldownMs: 5_000,
  maxResponseBytes: 32 * 1024 * 1024,
  maxErrorBodyBytes: 64 * 1024,
} as const;

const NO_SECRETS: readonly string[] = [];

export function createUpstreamClient(options: UpstreamClientOptions = {}): UpstreamClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? UPSTREAM_DEFAULTS.connectTimeoutMs;
  const defaultFirstByteTimeoutMs = options.firstByteTimeoutMs ?? UPSTREAM_DEFAULTS.firstByteTimeoutMs;
  const defaultIdleTimeoutMs = options.idleTimeoutMs ?? UPSTREAM_DEFAULTS.idleTimeoutMs;
  const maxResponseBytes = options.maxResponseBytes ?? UPSTREAM_DEFAULTS.maxResponseBytes;
  const maxErrorBodyBytes = options.maxErrorBodyBytes ?? UPSTREAM_DEFAULTS.maxErrorBodyBytes;
  const defaultParser = options.parseErrorMessage ?? parseErrorMessage;
  const picker = new EndpointPicker(options.cooldownMs ?? UPSTREAM_DEFAULTS.cooldownMs);
  const breakers = new CircuitBreakers(
    options.circuitBreaker ?? (() => CIRCUIT_DEFAULTS),
    options.onCircuitChange,
    options.clock,
  );
  const pools = new Map<string, Pool>();
  let closed = false;

  // undici takes the connect timeout per pool, so a provider with its own connect timeout gets
  // its own pool for the origin.
  function poolFor(origin: string, connectTimeout: number): Pool {
    const key = connectTimeout === connectTimeoutMs ? origin : `${origin} ${connectTimeout}`;
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: options.connectionsPerOrigin ?? null,
        pipelining: 1,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? UPSTREAM_DEFAULTS.keepAliveTimeoutMs,
        connect: { timeout: connectTimeout, ...options.tls },
        headersTimeout: defaultFirstByteTimeoutMs,
        bodyTimeout: defaultIdleTimeoutMs,
      });
      pools.set(key, pool);
    }
    return pool;
  }

  async function send(request: UpstreamRequest, sendOptions: SendOptions = {}): Promise<UpstreamResponse> {
    const provider = request.providerName;
    const signal = sendOptions.signal;
    if (closed) throw new GatewayError("gateway_unavailable", "the gateway is shutting down");
    if (signal?.aborted) throw mapTransportFailure({ kind: "aborted", providerName: provider });

    const endpoints: readonly UpstreamEndpoint[] =
      request.endpoints ?? (request.url === undefined ? [] : [{ url: request.url }]);
    if (endpoints.length === 0) throw new TypeError(`upstream request for ${provider} has no URL`);
    const states = endpoints.map((endpoint) => picker.state(endpoint.url));
    const order = picker.order(states);
    const model = request.model ?? "";
    const circuits = states.map((state) => breakers.circuit(state.label, model));
    /** Endpoints whose circuit is open (or probing) are skipped: failover goes on to the next. */
    let skipped: Circuit[] | undefined;

    const callConnectTimeoutMs = sendOptions.connectTimeoutMs ?? connectTimeoutMs;
    const firstByteTimeoutMs = sendOptions.firstByteTimeoutMs ?? defaultFirstByteTimeoutMs;
    const idleTimeoutMs = sendOptions.idleTimeoutMs ?? defaultIdleTimeoutMs;
    let secrets = sendOptions.secrets ?? NO_SECRETS;
    const method = request.method ?? "POST";
    const body = request.body ?? null;
    // undici keeps a string body twice for as long as the answer lasts (its handler holds the string, its request
    // a Buffer copy); given bytes, both hold the same Buffer. A held stream keeps one copy of its request body.
    const payload = typeof body === "string" ? Buffer.from(body) : body;
    // Every body the gateway sends is JSON; Anthropic documents the media type as required, and
    // servers behind frameworks that check it refuse a body without one.
    let baseHeaders =
      body === null || request.headers?.["content-type"] !== undefined
        ? request.headers
        : { "content-type": "application/json", ...request.headers };
    // The gateway's client span is the upstream's parent, never a caller's traceparent passed through.
    const trace = callTraceOf(signal);
    if (trace) baseHeaders = { ...baseHeaders, traceparent: trace.traceparent };
    const attempts: UpstreamAttempt[] = [];

    let statusError: UpstreamError | undefined;
    let transportError: UpstreamError | undefined;
    let allUnreachable = true;
    let retriedStaleConnection = false;

    for (let position = 0; position < order.length; position++) {
      const index = order[position]!;
      const state = states[index]!;
      const endpoint = endpoints[index]!;
      const circuit = circuits[index]!;
      if (!breakers.allow(circuit)) {
        skipped ??= [];
        skipped.push(circuit);
        continue;
      }
      const isLast = position === order.length - 1 || !anyAllowed(circuits, order, position + 1);
      const started = performance.now();
      state.inFlight++;
      let requestHeaders = endpoint.headers ? { ...baseHeaders, ...endpoint.headers } : baseHeaders;
      if (endpoint.sign) {
        try {
          const signed = await endpoint.sign(
            {
              method,
              url: new URL(state.path, state.origin),
              headers: { ...requestHeaders },
              body: body ?? "",
            },
            signal,
          );
          requestHeaders = { ...requestHeaders, ...signed };
          // What the signer added (a token that expires, a session token) is as secret as a configured key.
          secrets = [...secrets, ...signedSecrets(signed)];
        } catch (error) {
          state.inFlight--;
          breakers.released(circuit);
          if (signal?.aborted)
            throw withAttempts(mapTransportFailure({ kind: "aborted", providerName: provider }), attempts);
          // The credentials could not be had (ambient chain empty, token endpoint down): ours to fix, not the caller's.
          throw withAttempts(
            new UpstreamError(
              "gateway_unavailable",
              `no credentials for ${provider}: ${scrubSecrets((error as Error).message ?? String(error), secrets)}`,
            ),
            attempts,
            error,
          );
        }
      }
      const pool = poolFor(state.origin, callConnectTimeoutMs);
      const response = new UpstreamBody(signal, () => state.inFlight--);
      try {
        pool.dispatch(
          {
            path: state.path,
            method,
            headers: requestHeaders,
            body: payload,
            headersTimeout: firstByteTimeoutMs,
            bodyTimeout: idleTimeoutMs,
          },
          response,
        );
        await response.started;
      } catch (error) {
        const kind: TransportFailureKind = signal?.aborted ? "aborted" : classifyTransportError(error);
        // A keep-alive socket the upstream closed just as we reused it: one more try on the same endpoint when
        // there is no other to fail over to. It counts against the circuit only if the retry fails too: were it
        // the half-open probe, counting it would re-open the circuit and skip the retry.
        const retryStale = isLast && kind === "connection_lost" && !retriedStaleConnection;
        if (isCircuitTransportFault(kind) && !retryStale) breakers.failed(circuit);
        else breakers.released(circuit);
        attempts.push({ endpoint: state.label, error: describe(kind, error), ms: elapsed(started) });
        trace?.attempted?.(state.origin, undefined, kind);
        const mapped = mapTransportFailure({
          kind,
          providerName: provider,
          timeoutMs: kind === "connect_timeout" ? callConnectTimeoutMs : firstByteTimeoutMs,
        });
        if (!isFailoverFailure(kind)) throw withAttempts(mapped, attempts, error);
        picker.failed(state);
        if (kind !== "unreachable") allUnreachable = false;
        transportError = withAttempts(mapped, attempts, error);
        if (retryStale) {
          retriedStaleConnection = true;
          order.push(index);
        }
        continue;
      }

      const status = response.status;
      const headers = response.headers;
      const ms = elapsed(started);
      trace?.attempted?.(state.origin, status, undefined);

      if (status >= 200 && status < 300) {
        picker.succeeded(state);
        breakers.succeeded(circuit);
        attempts.push({ endpoint: state.label, status, ms });
        return respond(status, headers, state, attempts, response, provider, idleTimeoutMs, signal);
      }

      allUnreachable = false;
      if (isCircuitFault(status)) breakers.failed(circuit);
      else if (status === 429) breakers.released(circuit);
      else breakers.succeeded(circuit);
      const failover = isFailoverStatus(status) && !isLast;
      if (sendOptions.returnErrorResponses && !failover) {
        attempts.push({ endpoint: state.label, status, ms });
        return respond(status, headers, state, attempts, response, provider, idleTimeoutMs, signal);
      }
      const text = (await response.prefix(maxErrorBodyBytes)).toString("utf8");
      if (signal?.aborted)
        throw withAttempts(mapTransportFailure({ kind: "aborted", providerName: provider }), attempts);
      const input = {
        status,
        headers,
        body: text,
        providerName: provider,
        secrets,
        parseErrorMessage: sendOptions.parseErrorMessage ?? defaultParser,
      };
      const detail = upstreamDetail(input);
      attempts.push(
        detail === undefined
          ? { endpoint: state.label, status, ms }
          : { endpoint: state.label, status, ms, detail },
      );
      const mapped = withAttempts(mapUpstreamStatus(input), attempts);
      if (!isFailoverStatus(status)) throw mapped;
      picker.failed(state);
      statusError = mapped;
    }

    // Every endpoint failed. An answer from the provider says more than a failed connection.
    if (statusError) throw statusError;
    if (transportError === undefined && skipped) throw circuitOpen(provider, skipped, attempts);
    if (allUnreachable && endpoints.length > 1) {
      const error = mapTransportFailure({
        kind: "unreachable",
        providerName: provider,
        allEndpointsDown: true,
        endpointCount: endpoints.length,
      });
      throw withAttempts(error, attempts, transportError?.cause);
    }
    throw transportError!;
  }

  /** True when one of the endpoints at `from` onwards may be tried (its circuit not open). */
  function anyAllowed(circuits: readonly Circuit[], order: readonly number[], from: number): boolean {
    for (let position = from; position < order.length; position++)
      if (!breakers.isOpen(circuits[order[position]!]!)) return true;
    return false;
  }

  /** Every endpoint's circuit is open: 503, retry once the first of them lets a probe through. */
  function circuitOpen(provider: string, open: readonly Circuit[], attempts: readonly UpstreamAttempt[]) {
    let remainingMs = Number.POSITIVE_INFINITY;
    for (const circuit of open) remainingMs = Math.min(remainingMs, breakers.remainingMs(circuit));
    return withAttempts(
      new UpstreamError(
        "upstream_unavailable",
        `${provider} is unavailable: it failed repeatedly and the gateway stopped sending it requests for a while (circuit open)`,
        { retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) },
      ),
      attempts,
    );
  }

  function respond(
    status: number,
    headers: IncomingHttpHeaders,
    state: EndpointState,
    attempts: readonly UpstreamAttempt[],
    body: UpstreamBody,
    providerName: string,
    idleTimeoutMs: number,
    signal: AbortSignal | undefined,
  ): UpstreamResponse {
    body.describe({ providerName, idleTimeoutMs, signal, attempts });
    return new UpstreamResponseImpl(
      status,
      headers,
      state.label,
      attempts,
      body,
      providerName,
      maxResponseBytes,
    );
  }

  async function close(): Promise<void> {
    closed = true;
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((pool) => pool.close()));
  }

  async function destroy(): Promise<void> {
    closed = true;
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((pool) => pool.destroy()));
  }

  return { send, close, destroy, circuits: breakers };
}

/** Credential values among a signer's headers: a bearer token, an AWS session token. */
function signedSecrets(headers: Record<string, string>): string[] {
  const found: string[] = [];
  const token = headers["x-amz-security-token"];
  if (token) found.push(token);
  const bearer = /^Bearer\s+(\S+)/i.exec(headers.authorization ?? "")?.[1];
  if (bearer) found.push(bearer);
  return found;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function describe(kind: TransportFailureKind, error: unknown): string {
  const code = errorCode(error);
  return code === undefined ? kind : `${kind}: ${code}`;
}

function withAttempts(
  error: UpstreamError,
  attempts: readonly UpstreamAttempt[],
  cause?: unknown,
): UpstreamError {
  error.attempts = attempts;
  if (cause !== undefined && error.cause === undefined) {
    Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true });
  }
  return error;
}
