import { createHash } from "node:crypto";
import { normalizeEndpoint } from "../endpoint.js";
import type { Environment } from "../load/interpolate.js";
import { pendingProviderFeatures } from "../load/pending-features.js";
import { parseModelRef } from "../model-ref.js";
import type { PathSegment } from "../problems.js";
import type { ProviderType } from "../schema/enums.js";
import type {
  DefaultModelConfig,
  KeyPolicy,
  ModelConfigurationInput,
  ModelOverride,
  ProviderServerSideConfig,
} from "../schema/model-configuration.js";
import { BUILTIN_MODELS, BUILTIN_PROVIDERS } from "./builtin.js";
import { createCatalogue } from "./catalogue.js";
import { resolveCredentials } from "./credentials.js";
import { fixDefaults } from "./defaults.js";
import { passesFilters } from "./filters.js";
import { checkOptions } from "./options.js";
import { SELF_HOSTED_DEFAULTS } from "./self-hosted.js";
import type { Catalogue, Report, ResolvedModel, ResolvedProvider } from "./types.js";

const DEFAULT_KEY_POLICY: KeyPolicy = { centralKey: true, allowUserKeys: false, centralKeyFallback: false };
const BASE: PathSegment[] = ["modelConfiguration"];

interface ProviderDraft {
  id: string;
  displayName: string;
  config: ProviderServerSideConfig;
  keyPolicy: KeyPolicy;
  builtin: boolean;
  path?: PathSegment[];
  timeouts?: ResolvedProvider["timeouts"];
  defaultModelConfig?: DefaultModelConfig;
}

function normalizeConfig(config: ProviderServerSideConfig): ProviderServerSideConfig {
  if (config.type === "openaicompatible" || config.type === "huggingface-tgi") {
    return {
      ...config,
      endpoints: config.endpoints.map((endpoint) => ({
        ...endpoint,
        url: normalizeEndpoint(endpoint.url, "openai-compatible"),
      })),
    };
  }
  if (config.type === "awsBedrock") {
    // A Bedrock endpoint without a scheme is a region (Cody), kept as written.
    return config.endpoint?.includes("://")
      ? { ...config, endpoint: normalizeEndpoint(config.endpoint) }
      : config;
  }
  return config.endpoint ? { ...config, endpoint: normalizeEndpoint(config.endpoint) } : config;
}

/** Non-empty fields of `patch` win; capabilities are replaced when non-empty (Cody's merge). */
function applyModelFields(model: ResolvedModel, patch: DefaultModelConfig | ModelOverride): ResolvedModel {
  const next = { ...model };
  if (patch.capabilities && patch.capabilities.length > 0) next.capabilities = patch.capabilities;
  if (patch.category) next.category = patch.category;
  if (patch.status) next.status = patch.status;
  if (patch.tier) next.tier = patch.tier;
  if (patch.contextWindow) next.contextWindow = { ...patch.contextWindow };
  if (patch.clientSideConfig) next.clientSideConfig = patch.clientSideConfig;
  if (patch.serverSideConfig) next.serverSideConfig = patch.serverSideConfig;
  if (patch.options) next.options = { ...next.options, ...patch.options };
  if (patch.timeouts) next.timeouts = { ...next.timeouts, ...patch.timeouts };
  if ("modelName" in patch && patch.modelName) next.modelName = patch.modelName;
  if ("displayName" in patch && patch.displayName) next.displayName = patch.displayName;
  if ("pricing" in patch && patch.pricing) next.pricing = { ...next.pricing, ...patch.pricing };
  if ("reasoningEffort" in patch && patch.reasoningEffort) next.reasoningEffort = patch.reasoningEffort;
  if ("modelCost" in patch && patch.modelCost && !("pricing" in patch && patch.pricing)) {
    // Cody's later `modelCost` is in US cents per million tokens.
    next.pricing = {
      input: patch.modelCost.inputTokenPennies / 100,
      output: patch.modelCost.outputTokenPennies / 100,
    };
  }
  return next;
}

function emptyModel(ref: string): ResolvedModel {
  const parsed = parseModelRef(ref);
  const parts = parsed.ok ? parsed.ref : { providerId: "", apiVersion: "", modelId: ref };
  return {
    ref,
    providerId: parts.providerId,
    apiVersion: parts.apiVersion,
    id: parts.modelId,
    modelName: parts.modelId,
    displayName: parts.modelId,
    capabilities: [],
    category: "balanced",
    status: "stable",
    // Cody: admin-defined models are always tier enterprise.
    tier: "enterprise",
    contextWindow: { maxInputTokens: 4000, maxOutputTokens: 4000 },
    options: {},
    available: false,
  };
}

function builtinProviderDraft(id: string): ProviderDraft | undefined {
  const builtin = BUILTIN_PROVIDERS.find((provider) => provider.id === id);
  if (!builtin) return undefined;
  return {
    id,
    displayName: builtin.displayName,
    config: {
      type: builtin.type as Exclude<
        ProviderType,
        "awsBedrock" | "azureOpenAI" | "openaicompatible" | "huggingface-tgi" | "google"
      >,
    } as ProviderServerSideConfig,
    keyPolicy: DEFAULT_KEY_POLICY,
    builtin: true,
  };
}

export interface ResolveOptions {
  env: Environment;
  report: Report;
  /** Extra providers (embedded default: Bedrock, OpenRouter, Vercel from the environment). */
  extraProviders?: ProviderDraft[];
  /** Embedded default: built-in providers without a usable key are left out, with their models, silently. */
  onlyUsableBuiltins?: boolean;
}

export type { ProviderDraft };

/** Cody's build order (cody.md §6.3), with Tollgate's stricter validation; problems go to `report`. */
export function resolveModelConfiguration(
  input: ModelConfigurationInput,
  options: ResolveOptions,
): Catalogue {
  const { env, report } = options;
  const at = (...path: PathSegment[]) => [...BASE, ...path];

  // 1–3. Base catalogue, filters, drop deprecated.
  const providers = new Map<string, ProviderDraft>();
  let models: ResolvedModel[] = [];
  if (input.sourcegraph) {
    for (const builtin of BUILTIN_PROVIDERS) providers.set(builtin.id, builtinProviderDraft(builtin.id)!);
    for (const model of BUILTIN_MODELS) {
      if (!passesFilters(model, input.sourcegraph.modelFilters)) continue;
      const parsed = parseModelRef(model.ref);
      if (!parsed.ok) continue;
      models.push({
        ...model,
        capabilities: [...model.capabilities],
        contextWindow: { ...model.contextWindow },
        pricing: { ...model.pricing },
        providerId: parsed.ref.providerId,
        apiVersion: parsed.ref.apiVersion,
        id: parsed.ref.modelId,
        options: {},
        available: false,
      });
    }
  }
  for (const extra of options.extraProviders ?? []) providers.set(extra.id, extra);
  models = models.filter((model) => model.status !== "deprecated");

  // 4. Provider overrides: replace or add.
  const overrideIndex = new Map<string, number>();
  (input.providerOverrides ?? []).forEach((override, index) => {
    const path = at("providerOverrides", index);
    const first = overrideIndex.get(override.id);
    if (first !== undefined) {
      report(
        [...path, "id"],
        `provider \`${override.id}\` is already defined at providerOverrides[${first}]`,
        "error",
      );
      return;
    }
    overrideIndex.set(override.id, index);
    const existing = providers.get(override.id) ?? builtinProviderDraft(override.id);
    const config = override.serverSideConfig ?? existing?.config;
    if (!config) {
      report(
        path,
        `provider \`${override.id}\` needs a \`serverSideConfig\` with a \`type\` (it is not a built-in provider: ${BUILTIN_PROVIDERS.map((p) => p.id).join(", ")})`,
        "error",
      );
      return;
    }
    providers.set(override.id, {
      id: override.id,
      displayName: override.displayName ?? existing?.displayName ?? override.id,
      config,
      keyPolicy: override.keyPolicy ?? DEFAULT_KEY_POLICY,
      builtin: existing?.builtin ?? false,
      path,
      timeouts: override.timeouts,
      defaultModelConfig: override.defaultModelConfig,
    });
  });

  // 5. defaultModelConfig and model overrides on base models.
  models = models.map((model) => {
    const config = providers.get(model.providerId)?.defaultModelConfig;
    return config ? applyModelFields(model, config) : model;
  });
  const refs = new Map<string, number>();
  const baseRefs = new Set(models.map((model) => model.ref));
  const added: ResolvedModel[] = [];
  (input.modelOverrides ?? []).forEach((override, index) => {
    const path = at("modelOverrides", index);
    const first = refs.get(override.modelRef);
    if (first !== undefined) {
      report(
        [...path, "modelRef"],
        `model \`${override.modelRef}\` is already defined at modelOverrides[${first}]`,
        "error",
      );
      return;
    }
    refs.set(override.modelRef, index);
    if (baseRefs.has(override.modelRef)) {
      models = models.map((model) =>
        model.ref === override.modelRef ? applyModelFields(model, override) : model,
      );
      return;
    }
    // 7. A new model: 4000/4000 window, then the provider's defaultModelConfig, then the override.
    let model = emptyModel(override.modelRef);
    const provider = providers.get(model.providerId);
    if (!provider) {
      const known = [...providers.keys()];
      report(
        [...path, "modelRef"],
        `model \`${override.modelRef}\` belongs to provider \`${model.providerId}\`, which is not configured; add it to providerOverrides${known.length ? ` (configured: ${known.join(", ")})` : ""}`,
        "error",
      );
      return;
    }
    if (provider.defaultModelConfig) model = applyModelFields(model, provider.defaultModelConfig);
    model = applyModelFields(model, override);
    if (model.capabilities.length === 0) {
      report([...path, "capabilities"], 'a new model needs `capabilities`, e.g. ["chat"]', "error");
      return;
    }
    added.push(model);
  });

  // Self-hosted models (and Cody's deprecated recommended settings, converted to them).
  const selfHosted = [
    ...(input.selfHostedModels ?? []).map((entry, index) => ({ entry, path: at("selfHostedModels", index) })),
  ];
  (input.modelOverridesRecommendedSettings ?? []).forEach((ref, index) => {
    const parsed = parseModelRef(ref);
    if (!parsed.ok) return;
    report(
      at("modelOverridesRecommendedSettings", index),
      "`modelOverridesRecommendedSettings` is deprecated; use `selfHostedModels` instead",
      "warning",
    );
    selfHosted.push({
      entry: {
        provider: parsed.ref.providerId,
        apiVersion: parsed.ref.apiVersion,
        model: `${parsed.ref.modelId}@v1` as never,
      },
      path: at("modelOverridesRecommendedSettings", index),
    });
  });
  for (const { entry, path } of selfHosted) {
    const defaults = SELF_HOSTED_DEFAULTS[entry.model]!;
    const ref = `${entry.provider}::${entry.apiVersion}::${defaults.modelName}`;
    if (!providers.has(entry.provider)) {
      report(
        [...path, "provider"],
        `provider \`${entry.provider}\` is not configured; add it to providerOverrides`,
        "error",
      );
      continue;
    }
    if (refs.has(ref) || baseRefs.has(ref) || added.some((model) => model.ref === ref)) {
      report(path, `model \`${ref}\` is defined twice`, "error");
      continue;
    }
    refs.set(ref, -1);
    const model: ResolvedModel = {
      ...emptyModel(ref),
      displayName: entry.override?.displayName ?? defaults.displayName,
      modelName: defaults.modelName,
      capabilities: defaults.capabilities,
      category: defaults.category,
      contextWindow: entry.override?.contextWindow ?? defaults.contextWindow,
      clientSideConfig: entry.override?.clientSideConfig ?? defaults.clientSideConfig,
      serverSideConfig: entry.override?.serverSideConfig ?? {
        type: "openaicompatible",
        apiModel: defaults.modelName,
      },
    };
    added.push(model);
  }
  models = [...models, ...added];

  // Providers: credentials and availability.
  const resolvedProviders: ResolvedProvider[] = [];
  for (const draft of providers.values()) {
    const credentials = resolveCredentials(draft.config, draft.keyPolicy, env);
    if (options.onlyUsableBuiltins && draft.builtin && !draft.path && !credentials.available) {
      models = models.filter((model) => model.providerId !== draft.id);
      continue;
    }
    const configPath = draft.path ? [...draft.path, "serverSideConfig"] : BASE;
    if (credentials.error)
      report([...configPath, ...credentials.error.path], credentials.error.message, "error");
    else if (credentials.warning) {
      const hasModels = models.some((model) => model.providerId === draft.id);
      // Built-in providers without a key are expected (only those with keys are used); say it once, briefly.
      if (draft.path || hasModels) {
        report(
          draft.path ?? BASE,
          `provider \`${draft.id}\`: ${credentials.warning}${credentials.available ? "" : "; its models are unavailable"}`,
          "warning",
        );
      }
    }
    const pending = pendingProviderFeatures({
      id: draft.id,
      type: draft.config.type,
      credentialMode: credentials.mode,
      keyPolicy: draft.keyPolicy,
    });
    // A provider the file names, or one the environment made usable; not a built-in that is out anyway.
    if (draft.path || credentials.available) {
      const from = !draft.path && credentials.source ? ` (key from ${credentials.source})` : "";
      for (const feature of pending) {
        report(
          draft.path ? [...draft.path, ...feature.at] : BASE,
          `provider \`${draft.id}\`${from}: ${feature.message}`,
          "warning",
        );
      }
    }
    const blocker = pending.find((feature) => feature.blocks);
    const available = credentials.available && !blocker;
    resolvedProviders.push({
      id: draft.id,
      displayName: draft.displayName,
      type: draft.config.type,
      serverConfig: normalizeConfig(draft.config),
      credentialMode: credentials.mode,
      ...(credentials.source ? { credentialSource: credentials.source } : {}),
      ...(credentials.centralKey ? { centralKey: credentials.centralKey } : {}),
      keyPolicy: draft.keyPolicy,
      available,
      ...(blocker ? { blockedReason: blocker.message } : {}),
      ...(available
        ? {}
        : { unavailableReason: blocker?.message ?? credentials.warning ?? credentials.error?.message }),
      ...(credentials.googleApi ? { googleApi: credentials.googleApi } : {}),
      ...(credentials.region ? { region: credentials.region } : {}),
      ...(draft.timeouts ? { timeouts: draft.timeouts } : {}),
      builtin: draft.builtin,
    });
  }
  const providerById = new Map(resolvedProviders.map((provider) => [provider.id, provider]));
  models = models.map((model) => ({
    ...model,
    available: providerById.get(model.providerId)?.available ?? false,
  }));
  for (const model of models) {
    const provider = providerById.get(model.providerId);
    if (provider) checkOptions(model, provider, refs.get(model.ref), report);
  }

  // 8–9. Default models.
  const defaults = fixDefaults(models, input.defaultModels ?? {}, report);
  const revision = createHash("sha256")
    .update(JSON.stringify({ models: models.map((model) => model.ref), defaults }))
    .digest("hex")
    .slice(0, 16);
  return createCatalogue(resolvedProviders, models, defaults, revision);
}
