import type { FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator, Principal } from "../auth/principal.js";
import { presentedToken } from "../auth/principal.js";
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
export function authenticate(authenticator: () => Authenticator) {
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
          request.principal = principal;
          done();
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
    request.principal = result;
    done();
  };
}
