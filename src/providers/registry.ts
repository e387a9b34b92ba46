import type { ProviderType } from "../config/index.js";
import { anthropicProvider } from "./anthropic/anthropic-provider.js";
import { awsBedrockProvider } from "./aws-bedrock/aws-bedrock-provider.js";
import { azureOpenAIProvider } from "./azure-openai/azure-openai-provider.js";
import { fireworksProvider } from "./fireworks/fireworks-provider.js";
import { googleProvider } from "./google/google-provider.js";
import { mistralProvider } from "./mistral/mistral-provider.js";
import { openaiProvider } from "./openai/openai-provider.js";
import { openaiCompatibleProvider } from "./openaicompatible/openaicompatible-provider.js";
import { openrouterProvider } from "./openrouter/openrouter-provider.js";
import { sourcegraphProvider } from "./sourcegraph/sourcegraph-provider.js";
import type { ProviderDefinition } from "./types.js";
import { vercelProvider } from "./vercel/vercel-provider.js";

/**
 * Every provider type the config accepts. `undefined` would mark a type whose adapter is not built yet: requests
 * to it are refused with a clear message (none today).
 */
export const providerRegistry = {
  openai: openaiProvider,
  azureOpenAI: azureOpenAIProvider,
  anthropic: anthropicProvider,
  fireworks: fireworksProvider,
  mistral: mistralProvider,
  openaicompatible: openaiCompatibleProvider,
  "huggingface-tgi": openaiCompatibleProvider,
  openrouter: openrouterProvider,
  vercel: vercelProvider,
  google: googleProvider,
  awsBedrock: awsBedrockProvider,
  sourcegraph: sourcegraphProvider,
} satisfies Record<ProviderType, ProviderDefinition | undefined>;

export function providerDefinition(type: ProviderType): ProviderDefinition | undefined {
  return providerRegistry[type];
}
