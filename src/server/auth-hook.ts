import type { IncomingHttpHeaders } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuthFailureLimiter } from "../auth/auth-failure-limiter.js";
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

/** A missing, unknown, revoked or expired token: what `server.authFailures` counts (not a 403 or a 503). */
export function isAuthenticationFailure(error: unknown): boolean {
  return error instanceof GatewayError && error.code === "unauthenticated";
}

/**
 * The same as a Fastify onRequest hook: runs before the body is read, so unauthenticated callers cost no parsing.
 * With `failures`, an address that failed too often is refused (429) before its token is looked at.
 */
export function authenticate(
  authenticator: () => Authenticator,
  permission?: Permission,
  failures?: AuthFailureLimiter,
) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    if (failures?.blocking) {
      try {
        failures.check(request.ip);
      } catch (error) {
        done(error as Error);
        return;
      }
    }
    const step = requestTrace(request.raw)?.step("authenticate");
    const finish = (error?: Error) => {
      step?.end(error);
      if (failures && isAuthenticationFailure(error)) failures.failed(request.ip);
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
