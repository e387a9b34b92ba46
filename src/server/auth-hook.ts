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

/**
 * As `principalFor`, for a request from `address`: while that address is blocked for failed authentication, a
 * token known from memory is served as usual (NAT, or a load balancer without trustProxy, puts valid callers
 * behind the guesser's address) and any other is refused with the 429, without a lookup. While no address is
 * blocked this is one size check more than `principalFor`.
 */
export function principalFrom<Request>(
  request: Request,
  address: (request: Request) => string,
  failures: AuthFailureLimiter | undefined,
  authenticator: Authenticator,
  headers: IncomingHttpHeaders,
  permission?: Permission,
): Principal | Promise<Principal> {
  if (failures?.blocking) {
    const until = failures.blockedUntil(address(request));
    if (until !== undefined) {
      const token = presentedToken(headers);
      const principal = token === undefined ? undefined : authenticator.cachedPrincipal(token);
      if (principal === undefined) throw failures.refusal(until);
      return accepted(principal, permission);
    }
  }
  return principalFor(authenticator, headers, permission);
}

/** A missing, unknown, revoked or expired token: what `server.authFailures` counts (not a 403 or a 503). */
export function isAuthenticationFailure(error: unknown): boolean {
  return error instanceof GatewayError && error.code === "unauthenticated";
}

const addressOf = (request: FastifyRequest) => request.ip;

/**
 * The same as a Fastify onRequest hook: runs before the body is read, so unauthenticated callers cost no parsing.
 * With `failures`, an address that failed too often is refused (429) unless its token is known from memory.
 */
export function authenticate(
  authenticator: () => Authenticator,
  permission?: Permission,
  failures?: AuthFailureLimiter,
) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const step = requestTrace(request.raw)?.step("authenticate");
    const finish = (error?: Error) => {
      step?.end(error);
      if (failures && isAuthenticationFailure(error)) failures.failed(request.ip);
      done(error);
    };
    let result: Principal | Promise<Principal>;
    try {
      result = principalFrom(request, addressOf, failures, authenticator(), request.headers, permission);
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
