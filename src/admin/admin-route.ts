import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";

/**
 * Who may call an admin route: anyone (`public`), any signed-in token (`self`: about the caller only), admin or
 * readonly tokens (`admin:read`), admin tokens (`admin:write`).
 */
export type AdminPermission = "public" | "self" | "admin:read" | "admin:write";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a handler receives: the parsed input, and the request and reply for what is not input (the caller). */
export interface AdminCall<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * An admin route as data (DESIGN §9): from the same declaration the route is registered, its input parsed
 * strictly, its permission checked, and `/admin/api/openapi.json` generated. `params`, `query` and `body` are
 * parsed before the handler runs (a bad value is a 400 naming the field); `response` documents the success
 * answer. A handler returns the body, or sends it itself (CSV) and returns the reply.
 */
export interface AdminRoute<Params = unknown, Query = unknown, Body = unknown> {
  method: HttpMethod;
  /** Fastify's syntax: `/admin/api/actors/:id`. */
  path: string;
  permission: AdminPermission;
  /** One line for the OpenAPI document and the console's authors. */
  summary: string;
  /** The group it is listed under (providers, models, actors…). */
  tag: string;
  params?: z.ZodType<Params>;
  query?: z.ZodType<Query>;
  body?: z.ZodType<Body>;
  /** The success answer's schema; `status` defaults to 200. */
  response: z.ZodType;
  status?: 200 | 201;
  /** Other media types the route can answer with (`text/csv`). */
  alsoProduces?: readonly string[];
  handler(call: AdminCall<Params, Query, Body>): Promise<unknown>;
}

/** Declares a route with its types inferred from its schemas. */
export function adminRoute<Params = Record<string, never>, Query = Record<string, never>, Body = undefined>(
  route: AdminRoute<Params, Query, Body>,
): AdminRoute {
  return route as unknown as AdminRoute;
}
