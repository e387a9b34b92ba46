import { z } from "zod";
import { AccessAdmin, AccessError } from "../auth/access-admin.js";
import { positiveDuration } from "../config/schema/common.js";
import { actorId } from "../config/schema/tollgate.js";
import { GatewayError } from "../errors/index.js";
import type { Store } from "../store/index.js";
import { actorChangesInput, actorName, newActorInput, role } from "./actor-input.js";
import { type AdminRoute, adminRoute } from "./admin-route.js";
import { by } from "./route-kit.js";
import { actorView, createdToken, deleted, tokenView } from "./views.js";

export interface TokenAdminDeps {
  store: Store;
  /** The running ActorDirectory: told about each change so it applies here at once and reaches the other replicas. */
  directory: { changed(revokedHashes?: readonly string[]): Promise<void> };
  now?: () => Date;
}

const idParam = z.strictObject({ id: z.string() });

const createTokenBody = z.strictObject({
  name: actorName,
  role: role.optional(),
  actorId: actorId.optional(),
  /** A duration such as "30d". */
  // Zero would create a token that is expired before anyone can use it (issue 15).
  expiresIn: positiveDuration.optional(),
});

const patchActorBody = actorChangesInput.refine(
  (value) => Object.values(value).some((field) => field !== undefined),
  {
    error: "the body changes nothing; send at least one of name, role, status, allowedModels, limits, budget",
  },
);

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
export function tokenAdminRoutes(deps: TokenAdminDeps): AdminRoute[] {
  const admin = new AccessAdmin(deps.store, deps.now);
  const tag = "actors and tokens";
  return [
    adminRoute({
      method: "GET",
      path: "/admin/api/tokens",
      permission: "admin:read",
      tag,
      summary: "List tokens (never their values), optionally of one actor.",
      query: listTokensQuery,
      response: z.object({ tokens: z.array(tokenView) }),
      handler: async ({ query }) => ({ tokens: await admin.listTokens({ actorId: query.actorId }) }),
    }),
    adminRoute({
      method: "POST",
      path: "/admin/api/tokens",
      permission: "admin:write",
      tag,
      summary:
        "Create a token (for an existing actor, or a new actor named after it); the token is shown once.",
      body: createTokenBody,
      response: createdToken,
      status: 201,
      handler: async ({ body, request }) => {
        const created = await admin
          .createToken(
            { name: body.name, role: body.role, actorId: body.actorId, expiresInMs: body.expiresIn },
            by(request),
          )
          .catch(mapAccessError);
        await deps.directory.changed();
        return { id: created.id, actorId: created.actorId, token: created.token };
      },
    }),
    adminRoute({
      method: "DELETE",
      path: "/admin/api/tokens/:id",
      permission: "admin:write",
      tag,
      summary: "Revoke a token; every replica refuses it within a second.",
      params: idParam,
      response: z.object({ id: z.string(), revoked: z.boolean() }),
      handler: async ({ params, request }) => {
        const { revoked, tokenHash } = await admin.revokeToken(params.id, by(request)).catch(mapAccessError);
        await deps.directory.changed([tokenHash]);
        return { id: params.id, revoked };
      },
    }),
    adminRoute({
      method: "GET",
      path: "/admin/api/actors",
      permission: "admin:read",
      tag,
      summary: "List actors with their roles, limits, budgets and allowed models.",
      response: z.object({ actors: z.array(actorView) }),
      handler: async () => ({ actors: await admin.listActors() }),
    }),
    adminRoute({
      method: "GET",
      path: "/admin/api/actors/:id",
      permission: "admin:read",
      tag,
      summary: "One actor.",
      params: idParam,
      response: actorView,
      handler: ({ params }) => admin.getActor(params.id).catch(mapAccessError),
    }),
    adminRoute({
      method: "POST",
      path: "/admin/api/actors",
      permission: "admin:write",
      tag,
      summary: "Create an actor (its id from its name unless given).",
      body: newActorInput,
      response: actorView,
      status: 201,
      handler: async ({ body, request }) => {
        const actor = await admin.createActor(body, by(request)).catch(mapAccessError);
        await deps.directory.changed();
        return actor;
      },
    }),
    adminRoute({
      method: "PATCH",
      path: "/admin/api/actors/:id",
      permission: "admin:write",
      tag,
      summary:
        "Change an actor's name, role, status, allowed models, limits or budget (null clears); config-file actors are read-only.",
      params: idParam,
      body: patchActorBody,
      response: actorView,
      handler: async ({ params, body, request }) => {
        const actor = await admin.updateActor(params.id, body, by(request)).catch(mapAccessError);
        // Disabling an actor must cut its tokens at once, as a revocation does.
        const hashes =
          body.status === "disabled"
            ? (await deps.store.tokens.list({ actorId: params.id, activeOnly: true })).map(
                (token) => token.tokenHash,
              )
            : [];
        await deps.directory.changed(hashes);
        return actor;
      },
    }),
    adminRoute({
      method: "DELETE",
      path: "/admin/api/actors/:id",
      permission: "admin:write",
      tag,
      summary: "Delete an actor and revoke its tokens.",
      params: idParam,
      response: deleted("actor"),
      handler: async ({ params, request }) => {
        const { tokenHashes } = await admin.deleteActor(params.id, by(request)).catch(mapAccessError);
        await deps.directory.changed(tokenHashes);
        return { id: params.id, deleted: true as const };
      },
    }),
  ];
}
