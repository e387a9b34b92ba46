import { createServer, type Server } from "node:http";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyHttpOptions,
  type FastifyInstance,
  LogController,
  type onRequestHookHandler,
} from "fastify";
import type { AuthFailureLimiter } from "../auth/auth-failure-limiter.js";
import type { Authenticator } from "../auth/principal.js";
import { GatewayError } from "../errors/index.js";
import type { RequestOutcome } from "../proxy/outcome.js";
import type { ProxyDeps } from "../proxy/proxy-deps.js";
import { proxyRoutes } from "../proxy/routes.js";
import type { Logger } from "../telemetry/logger.js";
import { idsOnlyTracing, type Tracing, tracedStep } from "../telemetry/tracing.js";
import { requestTrace, traceRequest } from "../telemetry/tracing-requests.js";
import { authenticate } from "./auth-hook.js";
import { clientAddressOf } from "./client-address.js";
import { answerClientError } from "./client-error.js";
import { type CorsPolicy, registerCors } from "./cors.js";
import { installErrorHandling, sendError } from "./error-handler.js";
import { ProxyLane } from "./lane/proxy-lane.js";
import { requestIdFor } from "./request-id.js";
import { type ReadinessCheck, registerHealthRoutes } from "./routes/health.js";
import { type ModelListing, registerModelRoutes } from "./routes/models.js";
import { registerAdminSecurityHeaders } from "./security-headers.js";

export interface AppOptions {
  logger: Logger;
  bodyLimit: number;
  trustProxy: boolean | number | string | string[];
  /** The current authenticator and model listing; both are swapped on reload. */
  authenticator: () => Authenticator;
  models: () => ModelListing;
  readiness: ReadinessCheck[];
  proxy: ProxyDeps;
  /** Every request's trace: its ids for `x-trace`/`x-span` and the logs, and spans when exported. */
  tracing?: Tracing;
  /** Failed authentication per client address (`server.authFailures`); absent when turned off. */
  authFailures?: AuthFailureLimiter;
  /** Browser access (`server.cors`); absent means none. */
  cors?: CorsPolicy;
  /** Sees every client API request's finished outcome (the lane's single end). */
  onOutcome?: (outcome: RequestOutcome) => void;
  /** Routes that need the running services (limits, admin API); registered with the same auth hook. */
  extraRoutes?: (app: FastifyInstance, hooks: { authenticate: onRequestHookHandler }) => void;
}

/** Fastify's defaults for the server it would create itself (it applies none to a factory's). */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // The client API routes bypass the framework (see lane/proxy-lane.ts); everything else is Fastify's.
  const tracing = options.tracing ?? idsOnlyTracing;
  const admit = options.proxy.admit;
  // Admission gets its own span only when spans are recorded: otherwise the wrapper would be pure cost.
  const proxy =
    tracing.exporting && admit ? { ...options.proxy, admit: tracedStep("admit", admit) } : options.proxy;
  const lane = new ProxyLane({
    routes: proxyRoutes(proxy),
    authenticator: options.authenticator,
    bodyLimit: options.bodyLimit,
    logger: options.logger,
    tracing,
    clientAddress: clientAddressOf(options.trustProxy),
    ...(options.authFailures ? { authFailures: options.authFailures } : {}),
    ...(options.cors ? { cors: options.cors } : {}),
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
  });
  const serverOptions: FastifyHttpOptions<Server> = {
    serverFactory: (handler) => {
      const server = createServer((request, response) => {
        if (!lane.handle(request, response)) handler(request, response);
      });
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      return server;
    },
    loggerInstance: options.logger as FastifyBaseLogger,
    // One line per request is logged in onResponse below; Fastify's two lines are noise.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    // Fastify makes each request's logger before any hook runs: the trace starts here so every line has its id.
    childLoggerFactory: (logger, bindings, childOptions, raw) =>
      logger.child({ ...bindings, traceId: traceRequest(tracing, raw).traceId }, childOptions),
    bodyLimit: options.bodyLimit,
    // A hop count is written as a function: Fastify's types do not admit a number.
    trustProxy:
      typeof options.trustProxy === "number"
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(options.trustProxy)
        : options.trustProxy,
    requestIdHeader: false,
    genReqId: requestIdFor,
    return503OnClosing: true,
    // What node:http refuses before routing (oversized headers, a broken request line), in the route's dialect.
    clientErrorHandler: answerClientError,
    // Errors raised before routing (a path that is not valid percent-encoding) in the caller's dialect too.
    frameworkErrors: (error, request, reply) => {
      const message =
        error.code === "FST_ERR_BAD_URL"
          ? "the path is not valid percent-encoding"
          : "the request is malformed";
      sendError(request, reply, new GatewayError("invalid_request", message));
    },
    forceCloseConnections: "idle",
    routerOptions: { ignoreTrailingSlash: true },
  };
  const app = Fastify(serverOptions);

  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    const trace = traceRequest(tracing, request.raw);
    reply.header("x-trace", trace.traceId);
    reply.header("x-span", trace.spanId);
    if (request.routeOptions.url) trace.routed(request.routeOptions.url);
    done();
  });
  app.addHook("onError", (request, _reply, error, done) => {
    if (error instanceof GatewayError) requestTrace(request.raw)?.failed(error.code);
    done();
  });
  app.addHook("onRequestAbort", (request, done) => {
    requestTrace(request.raw)?.end({ status: 499, errorCode: "client_closed", requestId: request.id });
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    requestTrace(request.raw)?.end({
      status: reply.statusCode,
      errorCode: undefined,
      requestId: request.id,
      actorId: request.principal?.actorId,
    });
    request.log.info(
      {
        method: request.method,
        path: request.url.split("?")[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        actor: request.principal?.actorId,
      },
      "request",
    );
    done();
  });

  registerAdminSecurityHeaders(app);
  if (options.cors) registerCors(app, options.cors);
  installErrorHandling(app, options.bodyLimit);
  registerHealthRoutes(app, options.readiness);
  const authenticateHook = authenticate(options.authenticator, undefined, options.authFailures);
  registerModelRoutes(app, { authenticate: authenticateHook, models: options.models });
  app.addHook("preClose", (done) => {
    lane.closing = true;
    done();
  });
  options.extraRoutes?.(app, { authenticate: authenticateHook });
  await app.ready();
  return app;
}
