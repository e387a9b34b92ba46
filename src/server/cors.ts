import type { FastifyInstance } from "fastify";
import { codyFeatureHeader } from "../dialects/cody/cody-headers.js";
import { featureHeader } from "../routing/feature.js";

export interface CorsSettings {
  /** Exact origins (`https://app.example.com`); checked at config load. */
  origins: readonly string[];
  maxAge: number;
}

/** Request headers a browser may send: ours, and those the OpenAI and Anthropic SDKs add. */
const ALLOWED_REQUEST_HEADERS = new Set([
  "authorization",
  "x-api-key",
  "api-key",
  "content-type",
  "anthropic-version",
  "anthropic-beta",
  // The Anthropic SDK's opt-in to browser use; harmless here, the gateway holds the provider keys.
  "anthropic-dangerous-direct-browser-access",
  "openai-beta",
  "openai-organization",
  "openai-project",
  "x-request-id",
  featureHeader,
  codyFeatureHeader,
  "x-session-affinity",
  "x-session-id",
  "session_id",
  "traceparent",
  "tracestate",
]);

/** The Stainless-generated SDKs (OpenAI's, Anthropic's) send a family of `x-stainless-*` headers. */
const STAINLESS = "x-stainless-";

/** Response headers a page's script may read: ids, rate limits, warnings. */
const EXPOSED_HEADERS = [
  "x-request-id",
  "x-trace",
  "x-span",
  "retry-after",
  "x-tollgate-warnings",
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-tokens",
].join(", ");

const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";

/**
 * Browser access, off unless `server.cors` lists origins (none by default: no CORS headers at all, and a preflight
 * gets no allow headers, so browsers refuse). A listed origin is echoed exactly, never `*`; tokens travel in
 * headers, not cookies, so credentials mode is never allowed.
 */
export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;
  private readonly maxAge: string;

  constructor(settings: CorsSettings) {
    this.origins = new Set(settings.origins);
    this.maxAge = String(Math.floor(settings.maxAge / 1000));
  }

  /** The origin to echo, when this request's `Origin` is listed. */
  allowedOrigin(origin: string | string[] | undefined): string | undefined {
    return typeof origin === "string" && this.origins.has(origin) ? origin : undefined;
  }

  /** Headers for an answer (success, error or stream) to a request from `origin`. */
  responseHeaders(origin: string | string[] | undefined, set: (name: string, value: string) => void): void {
    // Every answer varies by Origin once CORS is on, listed or not: a cache must not serve one origin's to another.
    set("vary", "origin");
    const allowed = this.allowedOrigin(origin);
    if (allowed === undefined) return;
    set("access-control-allow-origin", allowed);
    set("access-control-expose-headers", EXPOSED_HEADERS);
  }

  /** A preflight's allow headers, or none when the origin is not listed. Requested headers outside the list are left out. */
  preflightHeaders(
    origin: string | string[] | undefined,
    requested: string | string[] | undefined,
  ): Record<string, string> {
    const allowed = this.allowedOrigin(origin);
    if (allowed === undefined) return { vary: "origin" };
    const names = (typeof requested === "string" ? requested : "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => ALLOWED_REQUEST_HEADERS.has(name) || name.startsWith(STAINLESS));
    return {
      vary: "origin, access-control-request-headers",
      "access-control-allow-origin": allowed,
      "access-control-allow-methods": ALLOWED_METHODS,
      ...(names.length > 0 ? { "access-control-allow-headers": [...new Set(names)].join(", ") } : {}),
      "access-control-max-age": this.maxAge,
    };
  }
}

/** Fastify's side: preflights for every path (the lane's routes included: it serves POST only), headers on answers. */
export function registerCors(app: FastifyInstance, cors: CorsPolicy): void {
  app.addHook("onRequest", (request, reply, done) => {
    if (request.method !== "OPTIONS")
      cors.responseHeaders(request.headers.origin, (name, value) => reply.header(name, value));
    done();
  });
  app.options("*", (request, reply) => {
    reply.headers(
      cors.preflightHeaders(request.headers.origin, request.headers["access-control-request-headers"]),
    );
    return reply.code(204).send();
  });
}
