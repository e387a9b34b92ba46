import type { FastifyRequest, onRequestHookHandler } from "fastify";
import type { z } from "zod";
import type { ChangeAuthor } from "../auth/change-author.js";
import { type Permission, roleAllows } from "../auth/roles.js";
import { GatewayError } from "../errors/index.js";

/** What every admin route file shares: strict input parsing, the permission check, who acted. */

/** Strict input: the first problem becomes a 400 whose message and `param` name the field. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayError("invalid_request", `${what} must be a JSON object`);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    path = [...path, issue.keys[0]!];
    message = "unknown field";
  } else if (issue.code === "invalid_type" && issue.input === undefined) {
    message = "required";
  }
  const field = path.join(".");
  throw new GatewayError("invalid_request", field ? `\`${field}\`: ${message}` : message, {
    ...(field ? { param: field } : {}),
  });
}

export function allow(permission: Permission): onRequestHookHandler {
  return (request, _reply, done) => {
    const principal = request.principal;
    if (!principal || !roleAllows(principal.role, permission)) {
      done(
        new GatewayError(
          "forbidden",
          permission === "admin:write"
            ? "this needs an admin token; readonly tokens may only read"
            : "this needs an admin or readonly token",
        ),
      );
      return;
    }
    done();
  };
}

/** The acting actor and the token it used, for the audit log. */
export function by(request: FastifyRequest): ChangeAuthor {
  const principal = request.principal;
  return principal ? { actorId: principal.actorId, tokenId: principal.tokenId } : null;
}
