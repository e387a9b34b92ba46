import { z } from "zod";
import { isValidProviderId, parseModelRef } from "../model-ref.js";
import {
  concreteString,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
  secret,
  strictObject,
  timeouts,
} from "./common.js";
import {
  ANTHROPIC_EFFORTS,
  CODY_REASONING_EFFORTS,
  capability,
  category,
  OPENAI_REASONING_EFFORTS,
  RECOMMENDED_SETTINGS_REFS,
  SELF_HOSTED_MODELS,
  STATUSES,
  status,
  tier,
} from "./enums.js";
import { headerSecret, httpHeaders, providerUrl, providerUrlOrRegion } from "./http-fields.js";

const modelRef = z.string().superRefine((value, context) => {
  const result = parseModelRef(value);
  if (!result.ok) context.addIssue({ code: "custom", message: result.message });
});

/** An empty default means "pick one" (Cody). */
const defaultRef = z.string().superRefine((value, context) => {
  if (value === "") return;
  const result = parseModelRef(value);
  if (!result.ok) context.addIssue({ code: "custom", message: result.message });
});

const providerId = z.string().superRefine((value, context) => {
  if (value === "") context.addIssue({ code: "custom", message: "provider id is empty" });
  else if (!isValidProviderId(value)) {
    context.addIssue({
      code: "custom",
      message: `provider id \`${value}\` may contain only letters, digits and - . _ ~ / ? # [ ] @ ! $ & ' ( ) * + , ; = % (no \`:\`)`,
    });
  }
});

const displayName = z.string().max(128, { error: "display name is longer than 128 characters" });

const wildcardRule = (list: string) =>
  z.string().superRefine((value, context) => {
    const inner = value.slice(1, -1);
    if (value === "" || (value.length > 2 && inner.includes("*"))) {
      context.addIssue({
        code: "custom",
        message: `invalid ${list} rule \`${value}\`: \`*\` may appear only as the first and/or last character`,
      });
    }
  });

const sourcegraph = strictObject({
  endpoint: providerUrl.optional(),
  accessToken: headerSecret.optional(),
  modelFilters: strictObject({
    statusFilter: z.array(z.enum(STATUSES)).optional(),
    allow: z.array(wildcardRule("allow list")).optional(),
    deny: z.array(wildcardRule("deny list")).optional(),
  }).optional(),
});

const keyPolicy = strictObject({
  centralKey: z.boolean().default(true),
  allowUserKeys: z.boolean().default(false),
  centralKeyFallback: z.boolean().default(false),
}).superRefine((policy, context) => {
  if (!policy.centralKey && !policy.allowUserKeys) {
    context.addIssue({
      code: "custom",
      message: "no credential source is enabled; set `centralKey: true` or `allowUserKeys: true`",
    });
  }
  if (policy.centralKeyFallback && !(policy.centralKey && policy.allowUserKeys)) {
    context.addIssue({
      code: "custom",
      path: ["centralKeyFallback"],
      message:
        "`centralKeyFallback` means “use the central key for users without their own”: it needs both `centralKey: true` and `allowUserKeys: true`",
    });
  }
});

const keyProvider = <T extends string>(type: T) =>
  strictObject({
    type: z.literal(type),
    accessToken: headerSecret.optional(),
    endpoint: providerUrl.optional(),
  });

const openAICompatibleEndpoint = strictObject({
  url: providerUrl,
  accessToken: headerSecret.optional(),
  /** Query parameter name that carries the token instead of an Authorization header. */
  accessTokenQuery: z.string().min(1).optional(),
  headers: httpHeaders.optional(),
});

const openAICompatibleProvider = <T extends string>(type: T) =>
  strictObject({
    type: z.literal(type),
    endpoints: z
      .array(openAICompatibleEndpoint)
      .min(1, { error: 'list at least one endpoint `{ "url": … }`' }),
    enableVerboseLogs: z.boolean().optional(),
    useLegacyCompletions: z.boolean().optional(),
    // Fields of an intermediate Cody version (cody.md §6.2), accepted so such configs load.
    serviceName: z.string().optional(),
    serviceNameCustom: z.string().optional(),
  });

export const providerServerSideConfig = z.discriminatedUnion("type", [
  keyProvider("anthropic"),
  keyProvider("openai"),
  keyProvider("fireworks"),
  keyProvider("mistral"),
  keyProvider("openrouter"),
  keyProvider("vercel"),
  keyProvider("sourcegraph"),
  strictObject({
    type: z.literal("google"),
    accessToken: headerSecret.optional(),
    endpoint: providerUrl.optional(),
    googleWorkloadIdentityConfig: strictObject({
      credentialsFile: concreteString.optional(),
      credentialsJSON: secret.optional(),
    }).optional(),
  }),
  strictObject({
    type: z.literal("azureOpenAI"),
    accessToken: headerSecret.optional(),
    endpoint: providerUrl,
    user: z.string().optional(),
    useDeprecatedCompletionsAPI: z.boolean().optional(),
    apiVersion: z.string().min(1).optional(),
  }),
  strictObject({
    type: z.literal("awsBedrock"),
    accessToken: headerSecret.optional(),
    /** A URL (VPC endpoint) or a bare region, as in Cody. */
    endpoint: providerUrlOrRegion.optional(),
    region: concreteString.optional(),
  }),
  openAICompatibleProvider("openaicompatible"),
  openAICompatibleProvider("huggingface-tgi"),
]);

/**
 * The provider ids Cody Gateway routes by (cody.md §7.1): a `sourcegraph` provider's model goes to the gateway
 * route of its model ref's provider id, or of the model's `serverSideConfig.gatewayProvider`. Mistral models are
 * served by the Fireworks route, as in Cody.
 */
export const CODY_GATEWAY_PROVIDERS = ["anthropic", "fireworks", "google", "openai", "mistral"] as const;
export type CodyGatewayProvider = (typeof CODY_GATEWAY_PROVIDERS)[number];

/** Cody's own words for a provider id it has no route for (its list omits mistral, served as fireworks). */
export function codyProviderMismatch(provider: string): string {
  return `to use Cody Gateway, the provider ID ("${provider}") must match one of [anthropic fireworks google openai]`;
}

export const modelServerSideConfig = z.discriminatedUnion("type", [
  strictObject({ type: z.literal("awsBedrockProvisionedThroughput"), arn: concreteString }),
  /** A model of a `sourcegraph` provider whose provider id is not the Cody Gateway provider that serves it. */
  strictObject({ type: z.literal("sourcegraph"), gatewayProvider: z.enum(CODY_GATEWAY_PROVIDERS) }),
  strictObject({ type: z.literal("openaicompatible"), apiModel: z.string().min(1).optional() }),
  strictObject({
    type: z.literal("awsBedrock"),
    latencyOptimization: z.enum(["optimized", "standard"]).optional(),
    /** How Tollgate calls the model: InvokeModel (Anthropic models, the default for them) or Converse (every other). */
    api: z.enum(["invoke", "converse"]).optional(),
  }),
]);

export const openAICompatibleClientConfig = strictObject({
  stopSequences: z.array(z.string()).optional(),
  endOfText: z.string().optional(),
  contextSizeHintTotalCharacters: nonNegativeInt.optional(),
  contextSizeHintPrefixCharacters: nonNegativeInt.optional(),
  contextSizeHintSuffixCharacters: nonNegativeInt.optional(),
  chatPreInstruction: z.string().optional(),
  editPostInstruction: z.string().optional(),
  autocompleteSinglelineTimeout: nonNegativeInt.optional(),
  autocompleteMultilineTimeout: nonNegativeInt.optional(),
  chatTopK: z.number().optional(),
  chatTopP: z.number().optional(),
  chatTemperature: z.number().optional(),
  chatMaxTokens: nonNegativeInt.optional(),
  autoCompleteTopK: z.number().optional(),
  autoCompleteTopP: z.number().optional(),
  autoCompleteTemperature: z.number().optional(),
  autoCompleteSinglelineMaxTokens: nonNegativeInt.optional(),
  autoCompleteMultilineMaxTokens: nonNegativeInt.optional(),
  editTopK: z.number().optional(),
  editTopP: z.number().optional(),
  editTemperature: z.number().optional(),
  editMaxTokens: nonNegativeInt.optional(),
});

export const modelClientSideConfig = strictObject({
  openaicompatible: openAICompatibleClientConfig.optional(),
});

export const contextWindow = strictObject({
  maxInputTokens: positiveInt,
  maxOutputTokens: positiveInt,
  maxUserInputTokens: positiveInt.optional(),
});

/** Sampling and provider-specific options; `resolve` checks that the provider-specific ones fit the provider. */
export const modelOptions = strictObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: positiveInt.optional(),
  presencePenalty: z.number().min(-2).max(2).optional(),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
  maxOutputTokens: positiveInt.optional(),
  /**
   * A request asking for more output tokens than `contextWindow.maxOutputTokens`: sent with the maximum and a
   * warning (`clamp`, the default: Claude Code asks 32,000 of models it does not know), or refused (`reject`).
   */
  outputTokensAboveMax: z.enum(["clamp", "reject"]).optional(),
  thinkingBudgetTokens: nonNegativeInt.optional(),
  effort: z.enum(ANTHROPIC_EFFORTS).optional(),
  reasoningEffort: z.enum(OPENAI_REASONING_EFFORTS).optional(),
  parallelToolCalls: z.boolean().optional(),
  includeThoughts: z.boolean().optional(),
  reasoningEnabled: z.boolean().optional(),
});

export const pricing = strictObject({
  input: nonNegativeNumber.optional(),
  output: nonNegativeNumber.optional(),
  cacheRead: nonNegativeNumber.optional(),
  cacheWrite: nonNegativeNumber.optional(),
});

const modelCost = strictObject({
  unit: z.literal("mtok"),
  inputTokenPennies: nonNegativeNumber,
  outputTokenPennies: nonNegativeNumber,
});

export const defaultModelConfig = strictObject({
  capabilities: z.array(capability).optional(),
  category: category.optional(),
  status: status.optional(),
  tier: tier.optional(),
  contextWindow: contextWindow.optional(),
  clientSideConfig: modelClientSideConfig.optional(),
  serverSideConfig: modelServerSideConfig.optional(),
  options: modelOptions.optional(),
  timeouts: timeouts.optional(),
});

export const providerOverride = strictObject({
  id: providerId,
  displayName: displayName.optional(),
  clientSideConfig: strictObject({}).optional(),
  serverSideConfig: providerServerSideConfig.optional(),
  defaultModelConfig: defaultModelConfig.optional(),
  keyPolicy: keyPolicy.optional(),
  timeouts: timeouts.optional(),
});

export const modelOverride = strictObject({
  modelRef,
  displayName: displayName.optional(),
  modelName: z.string().min(1).optional(),
  capabilities: z.array(capability).optional(),
  category: category.optional(),
  status: status.optional(),
  tier: tier.optional(),
  contextWindow: contextWindow.optional(),
  clientSideConfig: modelClientSideConfig.optional(),
  serverSideConfig: modelServerSideConfig.optional(),
  reasoningEffort: z.enum(CODY_REASONING_EFFORTS).optional(),
  modelCost: modelCost.optional(),
  options: modelOptions.optional(),
  pricing: pricing.optional(),
  timeouts: timeouts.optional(),
});

export const selfHostedModel = strictObject({
  provider: providerId,
  apiVersion: z.string().min(1).default("v1"),
  model: z.enum(SELF_HOSTED_MODELS),
  override: strictObject({
    displayName: displayName.optional(),
    contextWindow: contextWindow.optional(),
    clientSideConfig: modelClientSideConfig.optional(),
    serverSideConfig: strictObject({
      type: z.literal("openaicompatible"),
      apiModel: z.string().min(1).optional(),
    }).optional(),
  }).optional(),
});

export const modelConfiguration = strictObject({
  sourcegraph: sourcegraph.nullable().optional(),
  providerOverrides: z.array(providerOverride).optional(),
  modelOverrides: z.array(modelOverride).optional(),
  /** Deprecated by Cody in favour of `selfHostedModels`; accepted with a warning. */
  modelOverridesRecommendedSettings: z.array(z.enum(RECOMMENDED_SETTINGS_REFS)).optional(),
  selfHostedModels: z.array(selfHostedModel).optional(),
  defaultModels: strictObject({
    chat: defaultRef.optional(),
    fastChat: defaultRef.optional(),
    codeCompletion: defaultRef.optional(),
  }).optional(),
}).superRefine(checkCodyGatewayRoutes);

/**
 * A model of a `sourcegraph` provider must name a route Cody Gateway has: refused at load with Cody's own
 * message (cody.md §7.1), where the instance would fail each request instead.
 */
export function checkCodyGatewayRoutes(
  config: {
    providerOverrides?: z.output<typeof providerOverride>[] | undefined;
    modelOverrides?: z.output<typeof modelOverride>[] | undefined;
  },
  context: z.RefinementCtx,
): void {
  const hints = new Map<string, ModelServerSideConfig | undefined>();
  const others = new Map<string, string>();
  for (const provider of config.providerOverrides ?? []) {
    if (provider.serverSideConfig?.type === "sourcegraph")
      hints.set(provider.id, provider.defaultModelConfig?.serverSideConfig);
    else if (provider.serverSideConfig) others.set(provider.id, provider.serverSideConfig.type);
  }
  (config.modelOverrides ?? []).forEach((model, index) => {
    const parsed = parseModelRef(model.modelRef);
    if (!parsed.ok) return;
    const otherType = others.get(parsed.ref.providerId);
    if (model.serverSideConfig?.type === "sourcegraph" && otherType) {
      context.addIssue({
        code: "custom",
        path: ["modelOverrides", index, "serverSideConfig"],
        message: `\`gatewayProvider\` applies to models of a \`sourcegraph\` provider; provider \`${parsed.ref.providerId}\` is of type ${otherType}`,
      });
      return;
    }
    if (!hints.has(parsed.ref.providerId)) return;
    const hint = model.serverSideConfig ?? hints.get(parsed.ref.providerId);
    const routedBy = hint?.type === "sourcegraph" ? hint.gatewayProvider : parsed.ref.providerId;
    if ((CODY_GATEWAY_PROVIDERS as readonly string[]).includes(routedBy)) return;
    context.addIssue({
      code: "custom",
      path: ["modelOverrides", index, "modelRef"],
      message: `${codyProviderMismatch(routedBy)}; name the provider after one of them, or set the model's \`serverSideConfig\` to { "type": "sourcegraph", "gatewayProvider": "anthropic" } (or another of ${CODY_GATEWAY_PROVIDERS.join(", ")})`,
    });
  });
}

export type ModelConfigurationInput = z.output<typeof modelConfiguration>;
export type ProviderOverride = z.output<typeof providerOverride>;
export type ProviderServerSideConfig = z.output<typeof providerServerSideConfig>;
export type ModelOverride = z.output<typeof modelOverride>;
export type ModelServerSideConfig = z.output<typeof modelServerSideConfig>;
export type ModelClientSideConfig = z.output<typeof modelClientSideConfig>;
export type ModelOptions = z.output<typeof modelOptions>;
export type Pricing = z.output<typeof pricing>;
export type ContextWindow = z.output<typeof contextWindow>;
export type DefaultModelConfig = z.output<typeof defaultModelConfig>;
export type KeyPolicy = z.output<typeof keyPolicy>;
export type SelfHostedModel = z.output<typeof selfHostedModel>;
export type Timeouts = z.output<typeof timeouts>;
