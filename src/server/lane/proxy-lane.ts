import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthFailureLimiter } from "../../auth/auth-failure-limiter.js";
import { type Authenticator, presentedToken } from "../../auth/principal.js";
import { tokenFamily } from "../../auth/token.js";
import { GatewayError } from "../../errors/index.js";
import { estimateMissingUsage, newOutcome, type RequestOutcome } from "../../proxy/outcome.js";
import type { ProxyRoute } from "../../proxy/routes.js";
import { type Logger, preformattedInfo } from "../../telemetry/logger.js";
import { handling, type Tracing } from "../../telemetry/tracing.js";
import { unsendableReason } from "../../upstream/error-mapping.js";
import { costUsd } from "../../usage/cost.js";
import { isAuthenticationFailure, principalFrom } from "../auth-hook.js";
import type { CorsPolicy } from "../cors.js";
import { requestIdFor } from "../request-id.js";
import { HttpExchange } from "./http-exchange.js";
import { ClientGoneError, readJsonBody } from "./read-json-body.js";

export interface ProxyLaneOptions {
  routes: ProxyRoute[];
  authenticator: () => Authenticator;
  bodyLimit: number;
  logger: Logger;
  /** Opens each request's server span (or only its ids), ended by the request's end. */
  tracing: Tracing;
  /** The client's address as Fastify's `request.ip` (server.trustProxy); read only when authentication fails or some address is blocked. */
  clientAddress: (request: IncomingMessage) => string;
  /** Failed authentication per client address; absent when turned off. */
  authFailures?: AuthFailureLimiter;
  cors?: CorsPolicy;
  /** Sees every finished request's outcome, refused and failed ones included (usage, metrics, tests). */
  onOutcome?: (outcome: RequestOutcome) => void;
}

/** `/v1/chat/completions/?api-version=…` → `/v1/chat/completions` (SDKs add query strings, some a slash). */
function routePath(url: string): string {
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/**
 * The client API routes served straight from node:http, beside the Fastify app that serves
 * everything else (health, models, limits, admin). A framework's per-request machinery (routing
 * tree, hooks, reply objects, content-type parsers) cost a quarter of a bare proxy's throughput on
 * the bench; this lane does the same steps for the five hot routes: request id, trace, 503 while closing,
 * token before body, body limit, JSON parse, errors in the route's dialect, and the request's one end
 * (`end`): the outcome finalized, the admission ticket settled, the access-log line and the other sinks.
 */
export class ProxyLane {
  /** Set when the server starts closing: new requests get 503 and every answer closes its connection. */
  closing = false;
  private readonly routes = new Map<string, ProxyRoute>();
  private readonly accessLog: (fieldsJson: string, message: string) => void;

  constructor(private readonly options: ProxyLaneOptions) {
    for (const route of options.routes) this.routes.set(route.path, route);
    this.accessLog = preformattedInfo(options.logger);
  }

  /** Serves the request if it is for a proxy route; false hands it to the framework. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== "POST") return false;
    let route = this.routes.get(routePath(request.url ?? "/"));
    if (!route) return false;
    // A path two APIs share: the token's shape says whose (only these routes look at it before authentication).
    if (route.forTokenFamily) {
      const family = tokenFamily(presentedToken(request.headers));
      if (family !== "tollgate") route = route.forTokenFamily[family] ?? route;
    }
    this.serve(route, request, response);
    return true;
  }

  private serve(route: ProxyRoute, request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now();
    const id = requestIdFor(request);
    const trace = this.options.tracing.start(request.headers, "POST", route.path);
    const outcome = newOutcome(id, route.path, route.ingress.name, started);
    outcome.traceId = trace.traceId;
    outcome.spanId = trace.spanId;
    const exchange = new HttpExchange(id, request, response, outcome, trace, this, (closed, status) =>
      this.end(closed, status, started),
    );
    exchange.header("x-request-id", id);
    exchange.header("x-trace", trace.traceId);
    exchange.header("x-span", trace.spanId);
    route.ingress.started?.(trace, exchange);
    const cors = this.options.cors;
    if (cors) cors.responseHeaders(request.headers.origin, (name, value) => exchange.header(name, value));
    if (this.closing) {
      this.fail(
        route,
        exchange,
        new GatewayError("gateway_unavailable", "the gateway is shutting down; retry"),
      );
      return;
    }
    this.run(route, exchange).catch((error: unknown) => this.fail(route, exchange, error));
  }

  private async run(route: ProxyRoute, exchange: HttpExchange): Promise<void> {
    route.ingress.precheck?.(exchange.headers);
    const failures = this.options.authFailures;
    const authenticating = exchange.trace.step("authenticate");
    try {
      // While no address is blocked for failed authentication, the address is not even looked up.
      const principal = principalFrom(
        exchange.request,
        this.options.clientAddress,
        failures,
        this.options.authenticator(),
        exchange.headers,
        "client",
      );
      exchange.principal = principal instanceof Promise ? await principal : principal;
    } catch (error) {
      authenticating?.end(error);
      if (failures && isAuthenticationFailure(error))
        failures.failed(this.options.clientAddress(exchange.request));
      throw error;
    }
    authenticating?.end();
    exchange.outcome.actorId = exchange.principal?.actorId;
    exchange.outcome.tokenId = exchange.principal?.tokenId;
    exchange.body = await readJsonBody(exchange.request, this.options.bodyLimit);
    // Handlers reach admission before their first await: a traced step finds this request there.
    let handled: Promise<void>;
    handling.trace = exchange.trace;
    try {
      handled = route.handle(exchange);
    } finally {
      handling.trace = undefined;
    }
    await handled;
  }

  /** An error before the answer started, in the route's ingress's shape; after it, the connection is cut. */
  private fail(route: ProxyRoute, exchange: HttpExchange, error: unknown): void {
    if (error instanceof ClientGoneError) return;
    const known = error instanceof GatewayError;
    // Unknown failures: the details go to the log with the request id, never to the caller.
    if (!known) {
      const { id: requestId, trace } = exchange;
      this.options.logger.error({ err: error, requestId, traceId: trace.traceId }, "unhandled error");
    } else if (error.status === 502) this.logUnsendable(exchange, error);
    exchange.outcome.errorCode ??= known ? error.code : "internal_error";
    // Nobody to answer: the client went away (the access log has its 499 already).
    if (exchange.response.destroyed) return;
    if (exchange.answered) {
      exchange.outcome.status = known ? error.status : 500;
      exchange.response.destroy();
      return;
    }
    const failure = known
      ? error
      : new GatewayError(
          "internal_error",
          `internal error; quote request id ${exchange.id} when reporting it`,
        );
    if (failure.retryAfterSeconds !== undefined)
      exchange.header("retry-after", String(failure.retryAfterSeconds));
    for (const [name, value] of Object.entries(failure.headers ?? {})) exchange.header(name, value);
    // A refused body that was not read is not drained on a connection that is kept.
    if (!exchange.request.complete) exchange.header("connection", "close");
    const answer = route.ingress.renderError(failure, exchange.outcome);
    // The ingress's own headers win (Cody's retry-after is a date, not seconds).
    if (answer.headers)
      for (const name in answer.headers) exchange.header(name, answer.headers[name] as string);
    exchange.sendJson(answer.status, answer.body, answer.contentType);
  }

  /** A request the gateway built but could not send (a bad header from config): the operator's to fix. */
  private logUnsendable(exchange: HttpExchange, error: GatewayError): void {
    const reason = unsendableReason(error);
    if (reason === undefined) return;
    const { id: requestId, trace, outcome } = exchange;
    this.options.logger.error(
      { requestId, traceId: trace.traceId, provider: outcome.providerId, reason },
      "could not send the upstream request: a header or URL built from the provider's configuration is invalid",
    );
  }

  /**
   * The request's single end, run once by the response's 'close': the outcome's final status and duration,
   * then the admission ticket (settled with the usage, or released), then the sinks.
   */
  private end(exchange: HttpExchange, status: number, started: number): void {
    const outcome = exchange.outcome;
    // Set already when the answer had started before it failed (a stream that broke midway was sent as 200).
    if (outcome.status === 0) {
      outcome.status = status;
      if (status === 499) outcome.errorCode ??= "client_closed";
    }
    outcome.durationMs = Math.round((performance.now() - started) * 100) / 100;
    estimateMissingUsage(outcome);
    if (outcome.usage) outcome.costUsd = costUsd(outcome.usage, outcome.pricing);
    // Each step on its own: a failure in one (a span exporter, a sink) must not keep the slot or lose the record.
    this.finishing(exchange, () => exchange.ticket?.finish(outcome));
    this.finishing(exchange, () => exchange.trace.end(outcome));
    this.finishing(exchange, () => this.options.onOutcome?.(outcome));
    this.logged(outcome);
  }

  private finishing(exchange: HttpExchange, step: () => void): void {
    try {
      step();
    } catch (error) {
      const { id: requestId, trace } = exchange;
      this.options.logger.error(
        { err: error, requestId, traceId: trace.traceId },
        "finishing the request failed",
      );
    }
  }

  /** The access-log line; request and trace ids, paths and model refs are JSON-safe by construction. */
  private logged(outcome: RequestOutcome): void {
    const { actorId, modelRef, providerId, usage, costUsd } = outcome;
    this.accessLog(
      `"requestId":"${outcome.requestId}","traceId":"${outcome.traceId}","method":"POST","path":"${outcome.route}","status":${outcome.status},"ms":${outcome.durationMs}${
        actorId === undefined ? "" : `,"actor":${JSON.stringify(actorId)}`
      }${modelRef === undefined ? "" : `,"model":${JSON.stringify(modelRef)}`}${
        providerId === undefined ? "" : `,"provider":${JSON.stringify(providerId)}`
      }${
        usage === undefined ? "" : `,"inputTokens":${usage.inputTokens},"outputTokens":${usage.outputTokens}`
      }${costUsd ? `,"costUsd":${costUsd}` : ""}${outcome.errorCode === undefined ? "" : `,"error":"${outcome.errorCode}"`}`,
      "request",
    );
  }
}
