import { z } from "zod";
import type { Catalogue, Environment, ResolvedProvider } from "../config/index.js";
import { providerOverride } from "../config/schema/model-configuration.js";
import type { CredentialResolver } from "../credentials/credential-resolver.js";
import type { KeyDirectory } from "../credentials/key-directory.js";
import { checkKeyInput } from "../credentials/key-input.js";
import { GatewayError } from "../errors/index.js";
import { providerDefinition } from "../providers/registry.js";
import type { JsonObject } from "../store/index.js";
import { type AdminRoute, adminRoute } from "./admin-route.js";
import type { CatalogueAdmin } from "./catalogue-admin.js";
import { refuseServerOnlySettings, refuseUnstorable } from "./catalogue-input.js";
import type { LiveCatalogue } from "./live-catalogue.js";
import { describeProvider, providerView } from "./provider-view.js";
import { by } from "./route-kit.js";
import { deleted } from "./views.js";

export interface ProviderAdminDeps {
  live: LiveCatalogue;
  admin: CatalogueAdmin;
  keys: KeyDirectory;
  resolver: CredentialResolver;
  env: Environment;
}

const idParam = z.strictObject({ id: z.string() });
const keyBody = z.strictObject({
  key: z.string().describe("the provider's API key; stored encrypted, never shown"),
});

/** Cody's provider entry, plus the central key, which is stored encrypted apart from it. */
const createBody = providerOverride.extend({
  centralKey: z.string().optional().describe("the central API key; stored encrypted, never shown again"),
});

const patchBody = z
  .strictObject({
    displayName: z.string().nullable().optional(),
    serverSideConfig: providerOverride.shape.serverSideConfig,
    keyPolicy: providerOverride.shape.keyPolicy.nullable(),
    timeouts: providerOverride.shape.timeouts.nullable(),
    defaultModelConfig: providerOverride.shape.defaultModelConfig.nullable(),
  })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    error:
      "the body changes nothing; send at least one of displayName, serverSideConfig, keyPolicy, timeouts",
  });

/**
 * Providers (issue 17): list each with its credential mode and where it is declared; create, change and delete
 * those made through the API (the file's are read-only: 409); set or clear a central key, write-only and stored
 * encrypted. Clearing a Bedrock or Vertex provider's stored key returns it to what its settings say, the
 * ambient chain when they name no key.
 */
export function providerAdminRoutes(deps: ProviderAdminDeps): AdminRoute[] {
  const tag = "providers";
  const providerOf = (id: string, catalogue: Catalogue = deps.live.loaded.catalogue): ResolvedProvider => {
    const provider = catalogue.provider(id);
    if (!provider) throw new GatewayError("not_found", `no provider \`${id}\``);
    return provider;
  };
  const describe = (provider: ResolvedProvider) =>
    describeProvider(
      provider,
      deps.resolver,
      deps.keys.userKeyCount(provider.id),
      deps.live.providerSource(provider.id),
    );
  const refuseWithoutCentralKeys = (provider: ResolvedProvider) => {
    if (provider.keyPolicy.centralKey) return;
    throw new GatewayError(
      "invalid_request",
      `provider \`${provider.id}\` does not use central keys (\`keyPolicy.centralKey: false\`); a key set here would never be used`,
    );
  };
  const checkKey = (provider: ResolvedProvider, body: unknown) => {
    refuseWithoutCentralKeys(provider);
    return checkKeyInput(body, provider, deps.env, providerDefinition(provider.type)?.checkKey);
  };

  return [
    adminRoute({
      method: "GET",
      path: "/admin/api/providers",
      permission: "admin:read",
      tag,
      summary: "List providers with their credential status and key policy.",
      response: z.object({ providers: z.array(providerView) }),
      handler: async () => ({ providers: deps.live.loaded.catalogue.providers.map(describe) }),
    }),
    adminRoute({
      method: "GET",
      path: "/admin/api/providers/:id",
      permission: "admin:read",
      tag,
      summary: "One provider.",
      params: idParam,
      response: providerView,
      handler: async ({ params }) => describe(providerOf(params.id)),
    }),
    adminRoute({
      method: "POST",
      path: "/admin/api/providers",
      permission: "admin:write",
      tag,
      summary:
        "Add a provider (Cody's providerOverrides entry: id, serverSideConfig with its type's fields, keyPolicy), with an optional central key.",
      body: createBody,
      response: providerView,
      status: 201,
      handler: async ({ body, request }) => {
        refuseUnstorable(request.body);
        refuseServerOnlySettings(body);
        const { centralKey, ...entry } = request.body as JsonObject & { centralKey?: string };
        await deps.admin.create("provider", body.id, entry, by(request), async (tx, candidate) => {
          if (centralKey === undefined) return;
          const key = checkKey(providerOf(body.id, candidate), { key: centralKey });
          await deps.keys.saveIn(tx, null, body.id, key, by(request));
        });
        return describe(providerOf(body.id));
      },
    }),
    adminRoute({
      method: "PATCH",
      path: "/admin/api/providers/:id",
      permission: "admin:write",
      tag,
      summary:
        "Change a provider made through the API (null removes a field); the file's are read-only (409).",
      params: idParam,
      body: patchBody,
      response: providerView,
      handler: async ({ params, body, request }) => {
        refuseUnstorable(request.body);
        refuseServerOnlySettings(body);
        await deps.admin.patch(
          "provider",
          params.id,
          request.body as JsonObject,
          providerOverride,
          by(request),
        );
        return describe(providerOf(params.id));
      },
    }),
    adminRoute({
      method: "DELETE",
      path: "/admin/api/providers/:id",
      permission: "admin:write",
      tag,
      summary: "Delete a provider made through the API, with its stored keys; its models must go first.",
      params: idParam,
      response: deleted("provider"),
      handler: async ({ params, request }) => {
        // The change announcement reloads the key directory too: the provider's keys are gone everywhere.
        await deps.admin.remove("provider", params.id, by(request));
        return { id: params.id, deleted: true as const };
      },
    }),
    adminRoute({
      method: "PUT",
      path: "/admin/api/providers/:id/key",
      permission: "admin:write",
      tag,
      summary: "Set the provider's central key (write-only, stored encrypted).",
      params: idParam,
      body: keyBody,
      response: providerView,
      handler: async ({ params, request }) => {
        const provider = providerOf(params.id);
        const key = checkKey(provider, request.body);
        await deps.keys.save(null, provider.id, key, by(request));
        return describe(provider);
      },
    }),
    adminRoute({
      method: "DELETE",
      path: "/admin/api/providers/:id/key",
      permission: "admin:write",
      tag,
      summary:
        "Clear the stored central key (a Bedrock or Vertex provider returns to its ambient credentials).",
      params: idParam,
      response: providerView.extend({ cleared: z.boolean() }),
      handler: async ({ params, request }) => {
        const provider = providerOf(params.id);
        const cleared = await deps.keys.remove(null, provider.id, by(request));
        return { ...describe(provider), cleared };
      },
    }),
  ];
}
