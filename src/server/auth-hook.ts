import type { FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator, Principal } from "../auth/principal.js";
import { presentedToken } from "../auth/principal.js";
import { type Permission, roleAllows } from "../auth/roles.js";
import { GatewayError } from "./errors.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const missing = "missing access token: send it as `Authorization: Bearer <token>`, `x-api-key` or `api-key`";
const invalid = "invalid access token: unknown, revoked or expired";

/**
 * An onRequest hook: runs before the body is read, so unauthenticated callers cost
 * no parsing. Synchronous when the authenticator answers from its cache.
 */
export function authenticate(authenticator: () => Authenticator, permission?: Permission) {
  const accept = (request: FastifyRequest, principal: Principal, done: (error?: Error) => void) => {
    if (permission && !roleAllows(principal.role, permission)) {
      done(new GatewayError("forbidden", `the ${principal.role} role may not use this route`));
      return;
    }
    request.principal = principal;
    done();
  };
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const token = presentedToken(request.headers);
    if (!token) {
      done(new GatewayError("unauthenticated", missing));
      return;
    }
    const result = authenticator().authenticate(token);
    if (result instanceof Promise) {
      result.then(
        (principal) => {
          if (!principal) return done(new GatewayError("unauthenticated", invalid));
          accept(request, principal, done);
        },
        () =>
          done(
            new GatewayError(
              "gateway_unavailable",
              "cannot verify the access token right now; retry shortly",
            ),
          ),
      );
      return;
    }
    if (!result) {
      done(new GatewayError("unauthenticated", invalid));
      return;
    }
    accept(request, result, done);
  };
}
