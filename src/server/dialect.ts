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
  return dialectOfPath(request.url, request.headers["anthropic-version"] !== undefined);
}

/** The dialect a path speaks when no route says (unknown paths, requests refused before routing). */
export function dialectOfPath(path: string, anthropicVersion: boolean): ErrorDialect {
  if (path.startsWith("/v1/messages")) return "anthropic";
  if (path.startsWith("/v1/models") && anthropicVersion) return "anthropic";
  return "openai";
}
