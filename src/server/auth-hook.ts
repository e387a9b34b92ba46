import type { IncomingHttpHeaders } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator, Principal } from "../auth/principal.js";
import { presentedToken } from "../auth/principal.js";
import { type Permission, roleAllows } from "../auth/roles.js";
import { GatewayError } from "../errors/index.js";
import { requestTrace } from "../telemetry/tracing-requests.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const missing = "missing access token: send it as `Authorization: Bearer <token>`, `x-api-key` or `api-key`";
const invalid = "invalid access token: unknown, revoked or expired";

function accepted(principal: Principal | undefined, permission: Permission | undefined): Principal {
  if (!principal) throw new GatewayError("unauthenticated", invalid);
  if (permission && !roleAllows(principal.role, permission)) {
    throw new GatewayError("forbidden", `the ${principal.role} role may not use this route`);
  }
  return principal;
}

const unverifiable = () => {
  throw new GatewayError("gateway_unavailable", "cannot verify the access token right now; retry shortly");
};

/**
 * The caller behind a request's token, or a GatewayError (401, 403, 503). Synchronous when the
 * authenticator answers from its cache, so the hot path does not pay for a promise.
 */
export function principalFor(
  authenticator: Authenticator,
  headers: IncomingHttpHeaders,
  permission?: Permission,
): Principal | Promise<Principal> {
  const token = presentedToken(headers);
  if (!token) throw new GatewayError("unauthenticated", missing);
  const result = authenticator.authenticate(token);
  if (result instanceof Promise) {
    return result.then((principal) => accepted(principal, permission), unverifiable);
  }
  return accepted(result, permission);
}

/** The same as a Fastify onRequest hook: runs before the body is read, so unauthenticated callers cost no parsing. */
export function authenticate(authenticator: () => Authenticator, permission?: Permission) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const step = requestTrace(request.raw)?.step("authenticate");
    const finish = (error?: Error) => {
      step?.end(error);
      done(error);
    };
    let result: Principal | Promise<Principal>;
    try {
      result = principalFor(authenticator(), request.headers, permission);
    } catch (error) {
      finish(error as Error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (principal) => {
          request.principal = principal;
          finish();
        },
        (error: Error) => finish(error),
      );
      return;
    }
    request.principal = result;
    finish();
  };
}
