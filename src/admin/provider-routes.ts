import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from "fastify";
import type { Catalogue, Environment, ResolvedProvider } from "../config/index.js";
import type { CredentialResolver } from "../credentials/credential-resolver.js";
import type { KeyDirectory } from "../credentials/key-directory.js";
import { checkKeyInput } from "../credentials/key-input.js";
import { GatewayError } from "../errors/index.js";
import { providerDefinition } from "../providers/registry.js";
import { allow, by } from "./route-kit.js";
import { pathParam } from "./text.js";

export interface ProviderAdminDeps {
  authenticate: onRequestHookHandler;
  catalogue: () => Catalogue;
  keys: KeyDirectory;
  resolver: CredentialResolver;
  env: Environment;
}

/**
 * How a provider authenticates now: with a central key (from the file, its environment variable or the
 * admin API), the ambient AWS or Google chain, only users' own keys, or nothing (a keyless endpoint).
 */
export type CredentialModeName = "central-key" | "ambient" | "user-keys" | "keyless" | "unavailable";

/** One provider as the admin API shows it: never a key, only whether one is set and where it comes from. */
export function describeProvider(
  provider: ResolvedProvider,
  resolver: CredentialResolver,
  userKeysSaved: number,
) {
  const central = resolver.central(provider);
  const policy = provider.keyPolicy;
  let mode: CredentialModeName;
  let source: string | undefined;
  if ("credential" in central) {
    const origin = central.credential.origin;
    mode = origin === "ambient" ? "ambient" : origin === "keyless" ? "keyless" : "central-key";
    source =
      origin === "stored"
        ? "admin-api"
        : origin === "config" && provider.credentialSource
          ? `environment:${provider.credentialSource}`
          : origin;
  } else {
    mode = policy.allowUserKeys ? "user-keys" : "unavailable";
  }
  return {
    id: provider.id,
    displayName: provider.displayName,
    type: provider.type,
    credentialMode: mode,
    ...(source ? { centralKeySource: source } : {}),
    /** Which kind of central credential (bearer key, SigV4 keys, service account…), when there is one. */
    ...("credential" in central ? { authentication: central.credential.mode } : {}),
    storedCentralKey: resolver.hasStoredCentralKey(provider.id),
    keyPolicy: policy,
    userKeysSaved,
    ...(provider.blockedReason !== undefined
      ? { unavailableReason: provider.blockedReason }
      : "reason" in central && !policy.allowUserKeys
        ? { unavailableReason: central.reason }
        : {}),
  };
}

/**
 * Providers and their central keys (issue "Provider credentials"): list each provider's credential mode;
 * set or clear a central key, write-only and stored encrypted. Clearing a Bedrock or Vertex provider's
 * stored key returns it to what the file says, the ambient chain when it names no key.
 */
export function registerProviderAdminRoutes(app: FastifyInstance, deps: ProviderAdminDeps): void {
  const config = { dialect: "openai" as const };
  const read = { config, onRequest: [deps.authenticate, allow("admin:read")] };
  const write = { config, onRequest: [deps.authenticate, allow("admin:write")] };

  const providerOf = (request: FastifyRequest): ResolvedProvider => {
    const id = pathParam(request);
    const provider = deps.catalogue().provider(id);
    if (!provider) throw new GatewayError("not_found", `no provider \`${id}\``);
    return provider;
  };

  const describe = (provider: ResolvedProvider) =>
    describeProvider(provider, deps.resolver, deps.keys.userKeyCount(provider.id));

  app.get("/admin/api/providers", read, async () => ({
    providers: deps.catalogue().providers.map(describe),
  }));

  app.get("/admin/api/providers/:id", read, async (request) => describe(providerOf(request)));

  app.put("/admin/api/providers/:id/key", write, async (request) => {
    const provider = providerOf(request);
    if (!provider.keyPolicy.centralKey) {
      throw new GatewayError(
        "invalid_request",
        `provider \`${provider.id}\` does not use central keys (\`keyPolicy.centralKey: false\`); a key set here would never be used`,
      );
    }
    const key = checkKeyInput(request.body, provider, deps.env, providerDefinition(provider.type)?.checkKey);
    await deps.keys.save(null, provider.id, key, by(request));
    return describe(provider);
  });

  app.delete("/admin/api/providers/:id/key", write, async (request) => {
    const provider = providerOf(request);
    const cleared = await deps.keys.remove(null, provider.id, by(request));
    return { ...describe(provider), cleared };
  });
}
