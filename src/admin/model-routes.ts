import { z } from "zod";
import type { ResolvedModel, ResolvedProvider } from "../config/index.js";
import { CAPABILITIES } from "../config/index.js";
import { modelOverride } from "../config/schema/model-configuration.js";
import { GatewayError } from "../errors/index.js";
import type { JsonObject } from "../store/index.js";
import { type AdminRoute, adminRoute } from "./admin-route.js";
import type { CatalogueAdmin } from "./catalogue-admin.js";
import { refuseUnstorable } from "./catalogue-input.js";
import { FEATURE_NAMES, type FeatureName, type LiveCatalogue } from "./live-catalogue.js";
import { by } from "./route-kit.js";
import { deleted } from "./views.js";

export interface ModelAdminDeps {
  live: LiveCatalogue;
  admin: CatalogueAdmin;
  /**
   * Whether the provider can serve now: with a central credential, or for users with their own key. The
   * catalogue's own `available` knows only the file's keys, not those stored through the API.
   */
  servable: (provider: ResolvedProvider) => boolean;
}

const refParam = z.strictObject({
  ref: z.string().describe("the model ref `provider::apiVersion::modelId`, URL-encoded"),
});

const defaultRef = z.string().min(1).nullable().optional();
const defaultsBody = z
  .strictObject({ chat: defaultRef, fastChat: defaultRef, codeCompletion: defaultRef })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    error: "the body changes nothing; send chat, fastChat or codeCompletion (a model ref, or null to clear)",
  });

const patchBody = modelOverride
  .omit({ modelRef: true })
  .partial()
  .extend(
    Object.fromEntries(
      Object.entries(modelOverride.omit({ modelRef: true }).shape).map(([field, schema]) => [
        field,
        (schema as z.ZodOptional<z.ZodType>).unwrap().nullable().optional(),
      ]),
    ) as Record<string, z.ZodType>,
  );

const defaultsView = z.object({
  chat: z.string().nullable(),
  fastChat: z.string().nullable(),
  codeCompletion: z.string().nullable(),
});
const defaultsAnswer = z.object({
  defaults: defaultsView,
  sources: z
    .record(z.string(), z.enum(["file", "database", "automatic"]))
    .describe("per feature: set in the config file, set through this API, or picked by the gateway"),
});

export const modelView = z.object({
  ref: z.string(),
  providerId: z.string(),
  apiVersion: z.string(),
  id: z.string(),
  modelName: z.string(),
  displayName: z.string(),
  capabilities: z.array(z.enum(CAPABILITIES)),
  category: z.string(),
  status: z.string(),
  tier: z.string(),
  contextWindow: z.object({ maxInputTokens: z.number(), maxOutputTokens: z.number() }).loose(),
  options: z.record(z.string(), z.unknown()),
  pricing: z
    .object({
      input: z.number().optional(),
      output: z.number().optional(),
      cacheRead: z.number().optional(),
      cacheWrite: z.number().optional(),
    })
    .optional()
    .describe("USD per million tokens"),
  available: z.boolean(),
  source: z.enum(["file", "builtin", "database"]),
  editable: z.boolean(),
  defaultFor: z.array(z.enum(["chat", "fastChat", "codeCompletion"])),
});

/**
 * Models (issue 17): list them with where each is declared and which features it is the default of; create,
 * change and delete those made through the API; choose the default model per feature.
 */
export function modelAdminRoutes(deps: ModelAdminDeps): AdminRoute[] {
  const tag = "models";
  const catalogue = () => deps.live.loaded.catalogue;
  const describe = (model: ResolvedModel) => {
    const source = deps.live.modelSource(model.ref);
    const provider = catalogue().provider(model.providerId);
    const defaults = catalogue().defaults;
    return {
      ref: model.ref,
      providerId: model.providerId,
      apiVersion: model.apiVersion,
      id: model.id,
      modelName: model.modelName,
      displayName: model.displayName,
      capabilities: model.capabilities,
      category: model.category,
      status: model.status,
      tier: model.tier,
      contextWindow: model.contextWindow,
      options: model.options,
      ...(model.pricing ? { pricing: model.pricing } : {}),
      available: provider !== undefined && deps.servable(provider),
      source,
      editable: source === "database",
      defaultFor: FEATURE_NAMES.filter((feature) => defaults[feature] === model.ref),
    };
  };
  const modelOf = (ref: string) => {
    const model = catalogue().byRef(ref);
    if (!model) throw new GatewayError("not_found", `no model \`${ref}\``);
    return model;
  };
  const defaultsOf = () => {
    const defaults = catalogue().defaults;
    const fileDefaults = deps.live.fileConfig.config.modelConfiguration?.defaultModels ?? {};
    const stored = deps.live.storedCatalogue.defaults;
    const sources: Record<string, "file" | "database" | "automatic"> = {};
    for (const feature of FEATURE_NAMES) {
      sources[feature] = fileDefaults[feature]
        ? "file"
        : stored[feature] !== undefined && stored[feature] === defaults[feature]
          ? "database"
          : "automatic";
    }
    return { defaults: { ...defaults }, sources };
  };

  return [
    adminRoute({
      method: "GET",
      path: "/admin/api/models",
      permission: "admin:read",
      tag,
      summary:
        "List every model with its provider, options, pricing, source and the features it is the default of.",
      response: z.object({ models: z.array(modelView), defaults: defaultsView }),
      handler: async () => ({
        models: catalogue().models.map(describe),
        defaults: { ...catalogue().defaults },
      }),
    }),
    adminRoute({
      method: "GET",
      path: "/admin/api/models/:ref",
      permission: "admin:read",
      tag,
      summary: "One model.",
      params: refParam,
      response: modelView,
      handler: async ({ params }) => describe(modelOf(params.ref)),
    }),
    adminRoute({
      method: "POST",
      path: "/admin/api/models",
      permission: "admin:write",
      tag,
      summary:
        "Add a model (Cody's modelOverrides entry: modelRef, capabilities, contextWindow, options, pricing in USD per 1M tokens).",
      body: modelOverride,
      response: modelView,
      status: 201,
      handler: async ({ body, request }) => {
        refuseUnstorable(request.body);
        await deps.admin.create("model", body.modelRef, request.body as JsonObject, by(request));
        return describe(modelOf(body.modelRef));
      },
    }),
    adminRoute({
      method: "PATCH",
      path: "/admin/api/models/:ref",
      permission: "admin:write",
      tag,
      summary: "Change a model made through the API (null removes a field); the file's are read-only (409).",
      params: refParam,
      body: patchBody,
      response: modelView,
      handler: async ({ params, request }) => {
        refuseUnstorable(request.body);
        await deps.admin.patch("model", params.ref, request.body as JsonObject, modelOverride, by(request));
        return describe(modelOf(params.ref));
      },
    }),
    adminRoute({
      method: "DELETE",
      path: "/admin/api/models/:ref",
      permission: "admin:write",
      tag,
      summary: "Delete a model made through the API; not while it is a default set through the API.",
      params: refParam,
      response: deleted("model"),
      handler: async ({ params, request }) => {
        await deps.admin.remove("model", params.ref, by(request));
        return { id: params.ref, deleted: true as const };
      },
    }),
    adminRoute({
      method: "GET",
      path: "/admin/api/defaults",
      permission: "admin:read",
      tag,
      summary: "The default model per feature and where each was chosen.",
      response: defaultsAnswer,
      handler: async () => defaultsOf(),
    }),
    adminRoute({
      method: "PUT",
      path: "/admin/api/defaults",
      permission: "admin:write",
      tag,
      summary:
        "Choose the default model of features (a model ref; null returns the choice to the gateway); those the config file sets are read-only (409).",
      body: defaultsBody,
      response: defaultsAnswer,
      handler: async ({ body, request }) => {
        await deps.admin.setDefaults(body as Partial<Record<FeatureName, string | null>>, by(request));
        return defaultsOf();
      },
    }),
  ];
}
