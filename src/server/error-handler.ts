import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, GatewayError } from "../errors/index.js";
import { ingresses } from "../ingress/registry.js";
import { dialectOf } from "./dialect.js";

/** No feature is known on a Fastify route's error (Cody's concurrency text names the default, chat). */
const noFeature = { feature: undefined };

/**
 * Sends a gateway error as the request's client API writes it (its ingress's renderer, as the lane does), with
 * Retry-After and extra headers.
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: GatewayError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
  if (error.headers) reply.headers(error.headers);
  const answer = ingresses[dialectOf(request)].renderError(error, noFeature);
  // The ingress's own headers win (Cody's retry-after is a date, not seconds).
  if (answer.headers) reply.headers(answer.headers);
  return reply.code(answer.status).type(answer.contentType).send(answer.body);
}

/** Fastify's own errors (body parsing, limits) as catalogue errors with messages a caller can act on. */
function fromFastifyError(error: FastifyError, bodyLimit: number): GatewayError | undefined {
  const map: Record<string, [ErrorCode, string]> = {
    FST_ERR_CTP_BODY_TOO_LARGE: [
      "body_too_large",
      `request body is larger than the limit of ${bodyLimit} bytes`,
    ],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: [
      "unsupported_media_type",
      "request body must be JSON (content-type: application/json)",
    ],
    FST_ERR_CTP_EMPTY_JSON_BODY: ["invalid_request", "request body is empty; expected a JSON object"],
    FST_ERR_CTP_INVALID_JSON_BODY: [
      "invalid_request",
      `request body is not valid JSON: ${jsonProblem(error.message)}`,
    ],
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: ["invalid_request", "content-length does not match the body"],
  };
  const mapped = error.code ? map[error.code] : undefined;
  if (mapped) return new GatewayError(mapped[0], mapped[1]);
  // JSON.parse failures surface as SyntaxError with status 400 from the default parser.
  if (error instanceof SyntaxError || (error.statusCode === 400 && error.name === "SyntaxError")) {
    return new GatewayError(
      "invalid_request",
      `request body is not valid JSON: ${jsonProblem(error.message)}`,
    );
  }
  return undefined;
}

/**
 * V8's JSON.parse message without the excerpt of the body it quotes (`Unexpected token 's', "{"key": sk-…" is
 * not valid JSON`): the body may be a key being saved. Positions are kept.
 */
function jsonProblem(message: string): string {
  const quote = message.indexOf('"');
  return (quote === -1 ? message : message.slice(0, quote)).replace(/[,\s]+$/, "") || "syntax error";
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof GatewayError) return sendError(request, reply, error);
    const known = fromFastifyError(error, bodyLimit);
    if (known) return sendError(request, reply, known);
    // Unknown failures: the details go to the log with the request id, never to the caller.
    request.log.error({ err: error }, "unhandled error");
    return sendError(
      request,
      reply,
      new GatewayError("internal_error", `internal error; quote request id ${request.id} when reporting it`),
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new GatewayError("not_found", `no route for ${request.method} ${request.url.split("?")[0]}`),
    ),
  );
}
