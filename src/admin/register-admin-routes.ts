import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from "fastify";
import { z } from "zod";
import { GatewayError } from "../errors/index.js";
import type { AdminRoute } from "./admin-route.js";
import { allow, parse } from "./route-kit.js";
import { pathParam } from "./text.js";

/** Every path parameter is checked for what no id can hold before its own schema sees it. */
function pathParams(request: FastifyRequest): Record<string, string> {
  const raw = (request.params ?? {}) as Record<string, string>;
  const checked: Record<string, string> = {};
  for (const name of Object.keys(raw)) checked[name] = pathParam(request, name);
  return checked;
}

/** The caller must be signed in (any role); `self` routes answer about the caller only. */
const signedIn: onRequestHookHandler = (request, _reply, done) => {
  done(request.principal ? undefined : new GatewayError("unauthenticated", "sign in with a token"));
};

const noInput = z.strictObject({});

/**
 * Registers admin routes from their declarations: the permission check runs before anything is read, then
 * params, query and body are parsed strictly (a 400 naming the field) and the handler gets them typed.
 * Errors are written in the OpenAI shape, as for every admin route.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  routes: readonly AdminRoute[],
  authenticate: onRequestHookHandler,
): void {
  for (const route of routes) {
    const onRequest: onRequestHookHandler[] =
      route.permission === "public"
        ? []
        : route.permission === "self"
          ? [authenticate, signedIn]
          : [authenticate, allow(route.permission)];
    app.route({
      method: route.method,
      url: route.path,
      config: { dialect: "openai" },
      onRequest,
      handler: async (request, reply) => {
        const params = parse(route.params ?? noInput, pathParams(request), "the path");
        const query = parse(route.query ?? noInput, request.query ?? {}, "the query");
        // A route without a body refuses none: DELETE clients send `{}` or nothing alike.
        const body = route.body ? parse(route.body, request.body, "the request body") : undefined;
        const answer = await route.handler({ params, query, body, request, reply });
        if (answer === reply) return reply;
        if (route.status) reply.code(route.status);
        return answer;
      },
    });
  }
}
