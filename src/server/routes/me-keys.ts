import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from "fastify";
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

  const actorOf = (request: FastifyRequest): string => {
    const actorId = request.principal?.actorId;
    if (!actorId) throw new GatewayError("unauthenticated", "no actor behind this token");
    return actorId;
  };

  const providerOf = (request: FastifyRequest): ResolvedProvider => {
    const id = (request.params as { providerId: string }).providerId;
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
    await options.keys.save(actorId, provider.id, key, actorId);
    return entry(actorId, provider);
  });

  app.delete("/v1/me/keys/:providerId", route, async (request) => {
    const actorId = actorOf(request);
    const provider = providerOf(request);
    const deleted = await options.keys.remove(actorId, provider.id, actorId);
    return { ...entry(actorId, provider), deleted };
  });
}
