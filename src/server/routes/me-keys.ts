import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from "fastify";
import { roleAllows } from "../../auth/roles.js";
import type { Catalogue, Environment, ResolvedProvider } from "../../config/index.js";
import type { CredentialResolver } from "../../credentials/credential-resolver.js";
import type { KeyDirectory } from "../../credentials/key-directory.js";
import { checkKeyInput } from "../../credentials/key-input.js";
import { GatewayError } from "../../errors/index.js";
import { providerDefinition } from "../../providers/registry.js";

export interface MeKeysRouteOptions {
  authenticate: onRequestHookHandler;
  catalogue: () => Catalogue;
  keys: KeyDirectory;
  resolver: CredentialResolver;
  env: Environment;
}

/** The providers a caller may bring a key for: user keys allowed and not blocked by a missing feature. */
function acceptsUserKeys(provider: ResolvedProvider): boolean {
  return provider.keyPolicy.allowUserKeys && provider.blockedReason === undefined;
}

/**
 * The caller's own provider keys (DESIGN §8 "User keys API"): which providers take one and whether a key is
 * saved, at most its last four characters, never the key. Saving validates it first; the answer never
 * echoes it. Changes reach every replica through the token change bus within a second.
 */
export function registerMeKeysRoutes(app: FastifyInstance, options: MeKeysRouteOptions): void {
  const route = { onRequest: options.authenticate, config: { dialect: "openai" as const } };

  // Keys spend money on the client routes: only roles that may call them keep keys (not readonly watchers).
  const actorOf = (request: FastifyRequest): string => {
    const principal = request.principal;
    if (!principal?.actorId) throw new GatewayError("unauthenticated", "no actor behind this token");
    if (!roleAllows(principal.role, "client"))
      throw new GatewayError(
        "forbidden",
        "readonly tokens cannot use the model routes, so they keep no keys",
      );
    return principal.actorId;
  };

  // The audit log names the token that made the change too (its id, never the token).
  const authorOf = (request: FastifyRequest, actorId: string) => {
    const tokenId = request.principal?.tokenId;
    return tokenId === undefined ? actorId : { actorId, tokenId };
  };

  const providerIdOf = (request: FastifyRequest) => (request.params as { providerId: string }).providerId;

  const providerOf = (request: FastifyRequest): ResolvedProvider => {
    const id = providerIdOf(request);
    const provider = options.catalogue().provider(id);
    if (!provider)
      throw new GatewayError(
        "not_found",
        `no provider \`${id}\`; GET /v1/me/keys lists those that take a key`,
      );
    if (!acceptsUserKeys(provider)) {
      throw new GatewayError(
        "forbidden",
        `provider \`${id}\` does not accept personal keys (its key policy has \`allowUserKeys\` off)`,
      );
    }
    return provider;
  };

  const entry = (actorId: string, provider: ResolvedProvider) => {
    const { status, last4 } = options.resolver.keyStatus(actorId, provider);
    return {
      providerId: provider.id,
      displayName: provider.displayName,
      status,
      ...(last4 !== undefined ? { last4 } : {}),
    };
  };

  app.get("/v1/me/keys", route, async (request) => {
    const actorId = actorOf(request);
    const providers = options.catalogue().providers.filter(acceptsUserKeys);
    return { keys: providers.map((provider) => entry(actorId, provider)) };
  });

  app.put("/v1/me/keys/:providerId", route, async (request) => {
    const actorId = actorOf(request);
    const provider = providerOf(request);
    const key = checkKeyInput(
      request.body,
      provider,
      options.env,
      providerDefinition(provider.type)?.checkKey,
    );
    await options.keys.save(actorId, provider.id, key, authorOf(request, actorId));
    return entry(actorId, provider);
  });

  app.delete("/v1/me/keys/:providerId", route, async (request) => {
    const actorId = actorOf(request);
    const id = providerIdOf(request);
    // A key saved before its provider stopped taking keys (or was removed) can still be deleted by its owner.
    const saved = options.keys.userKey(actorId, id) !== undefined;
    const provider = saved ? options.catalogue().provider(id) : providerOf(request);
    const deleted = await options.keys.remove(actorId, id, authorOf(request, actorId));
    if (!provider || !acceptsUserKeys(provider)) return { providerId: id, status: "no_key", deleted };
    return { ...entry(actorId, provider), deleted };
  });
}
