import type { FastifyRequest } from "fastify";
import type { ErrorDialect } from "../errors/index.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The API dialect the route speaks, so its errors are written in it. */
    dialect?: ErrorDialect;
  }
}

/**
 * The dialect for a request: the route's own, else guessed from the path (for 404s). `/v1/models` is
 * shared by both dialects and answers in Anthropic's when the request carries `anthropic-version`.
 */
export function dialectOf(request: FastifyRequest): ErrorDialect {
  const routeDialect = request.routeOptions.config?.dialect;
  if (routeDialect) return routeDialect;
  if (request.url.startsWith("/v1/messages")) return "anthropic";
  if (request.url.startsWith("/v1/models") && request.headers["anthropic-version"] !== undefined) {
    return "anthropic";
  }
  return "openai";
}
