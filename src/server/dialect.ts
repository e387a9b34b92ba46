import type { FastifyRequest } from "fastify";
import { presentedToken } from "../auth/principal.js";
import { tokenFamily } from "../auth/token.js";
import type { ErrorDialect } from "../errors/index.js";
import type { IngressName } from "../ingress/registry.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The client API the route speaks, so its errors are written in it. */
    dialect?: IngressName;
    /**
     * The path is Cody Gateway's too (`/v1/limits`): with a Cody token (`slk_`, `sgs_`) the route speaks Cody's
     * API, its errors included, whatever the outcome of authentication.
     */
    codyByToken?: boolean;
  }
}

/**
 * The client API for a request: the route's own, Cody's for a Cody token where the route is shared, else guessed
 * from the path (for 404s). `/v1/models` is shared by both dialects and answers in Anthropic's when the request
 * carries `anthropic-version`.
 */
export function dialectOf(request: FastifyRequest): IngressName {
  const config = request.routeOptions.config;
  if (config?.dialect) return config.dialect;
  if (config?.codyByToken && tokenFamily(presentedToken(request.headers)) === "cody") return "cody";
  return dialectOfPath(request.url, request.headers["anthropic-version"] !== undefined);
}

/** The dialect a path speaks when no route says (unknown paths, requests refused before routing). */
export function dialectOfPath(path: string, anthropicVersion: boolean): ErrorDialect {
  if (path.startsWith("/v1/messages")) return "anthropic";
  if (path.startsWith("/v1/models") && anthropicVersion) return "anthropic";
  return "openai";
}
