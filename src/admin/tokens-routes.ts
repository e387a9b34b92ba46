import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { z } from "zod";
import { AccessAdmin, AccessError } from "../auth/access-admin.js";
import { positiveDuration } from "../config/schema/common.js";
import { actorId, budget, featureLimits } from "../config/schema/tollgate.js";
import { GatewayError } from "../errors/index.js";
import type { Store } from "../store/index.js";
import { allow, by, parse } from "./route-kit.js";
import { pathParam, storableText } from "./text.js";

export interface TokenAdminDeps {
  store: Store;
  /** The running ActorDirectory: told about each change so it applies here at once and reaches the other replicas. */
  directory: { changed(revokedHashes?: readonly string[]): Promise<void> };
  /** The gateway's authentication hook (sets `request.principal`). */
  authenticate: onRequestHookHandler;
  now?: () => Date;
}

const role = z.enum(["admin", "readonly", "user"]);
const name = storableText.trim().min(1, "must not be empty").max(200);

const createTokenBody = z.strictObject({
  name,
  role: role.optional(),
  actorId: actorId.optional(),
  /** A duration such as "30d". */
  // Zero would create a token that is expired before anyone can use it (issue 15).
  expiresIn: positiveDuration.optional(),
});

const actorFields = {
  name,
  role: role.optional(),
  status: z.enum(["active", "disabled"]).optional(),
  allowedModels: z.array(storableText.min(1)).nullable().optional(),
  limits: featureLimits.nullable().optional(),
  budget: budget.nullable().optional(),
};

const createActorBody = z.strictObject({ id: actorId.optional(), ...actorFields });

const patchActorBody = z
  .strictObject({ ...actorFields, name: name.optional() })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    error: "the body changes nothing; send at least one of name, role, status, allowedModels, limits, budget",
  });

const listTokensQuery = z.strictObject({ actorId: actorId.optional() });

function mapAccessError(error: unknown): never {
  if (error instanceof AccessError) {
    const options = error.field ? { param: error.field } : {};
    if (error.kind === "not_found") throw new GatewayError("not_found", error.message, options);
    if (error.kind === "read_only") throw new GatewayError("forbidden", error.message, options);
    if (error.kind === "conflict") throw new GatewayError("conflict", error.message, options);
    throw new GatewayError("invalid_request", error.message, options);
  }
  throw error;
}

/**
 * Admin API for tokens and actors (DESIGN §5, §8 "Tokens"). Admin tokens may change, readonly tokens
 * may read. Changes go through AccessAdmin (one transaction with the audit entry and the revision
 * bump); responses never contain tokens or hashes except the one-time answer to a token creation.
 */
export function registerTokenAdminRoutes(app: FastifyInstance, deps: TokenAdminDeps): void {
  const admin = new AccessAdmin(deps.store, deps.now);
  const config = { dialect: "openai" as const };
  const read = { config, onRequest: [deps.authenticate, allow("admin:read")] };
  const write = { config, onRequest: [deps.authenticate, allow("admin:write")] };

  app.get("/admin/api/tokens", read, async (request) => {
    const query = parse(listTokensQuery, request.query ?? {}, "the query");
    return { tokens: await admin.listTokens({ actorId: query.actorId }) };
  });

  app.post("/admin/api/tokens", write, async (request, reply) => {
    const body = parse(createTokenBody, request.body, "the request body");
    const created = await admin
      .createToken(
        { name: body.name, role: body.role, actorId: body.actorId, expiresInMs: body.expiresIn },
        by(request),
      )
      .catch(mapAccessError);
    await deps.directory.changed();
    return reply.code(201).send({ id: created.id, actorId: created.actorId, token: created.token });
  });

  app.delete("/admin/api/tokens/:id", write, async (request) => {
    const id = pathParam(request);
    const { revoked, tokenHash } = await admin.revokeToken(id, by(request)).catch(mapAccessError);
    await deps.directory.changed([tokenHash]);
    return { id, revoked };
  });

  app.get("/admin/api/actors", read, async () => ({ actors: await admin.listActors() }));

  app.get("/admin/api/actors/:id", read, async (request) =>
    admin.getActor(pathParam(request)).catch(mapAccessError),
  );

  app.post("/admin/api/actors", write, async (request, reply) => {
    const body = parse(createActorBody, request.body, "the request body");
    const actor = await admin.createActor(body, by(request)).catch(mapAccessError);
    await deps.directory.changed();
    return reply.code(201).send(actor);
  });

  app.patch("/admin/api/actors/:id", write, async (request) => {
    const body = parse(patchActorBody, request.body, "the request body");
    const id = pathParam(request);
    const actor = await admin.updateActor(id, body, by(request)).catch(mapAccessError);
    // Disabling an actor must cut its tokens at once, as a revocation does.
    const hashes =
      body.status === "disabled"
        ? (await deps.store.tokens.list({ actorId: id, activeOnly: true })).map((token) => token.tokenHash)
        : [];
    await deps.directory.changed(hashes);
    return actor;
  });

  app.delete("/admin/api/actors/:id", write, async (request) => {
    const id = pathParam(request);
    const { tokenHashes } = await admin.deleteActor(id, by(request)).catch(mapAccessError);
    await deps.directory.changed(tokenHashes);
    return { id, deleted: true };
  });
}
