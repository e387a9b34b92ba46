import type { Capability, Category, ProviderType, Status, Tier } from "../schema/enums.js";
import data from "./builtin-models.generated.json" with { type: "json" };

export interface BuiltinModel {
  ref: string;
  displayName: string;
  modelName: string;
  capabilities: Capability[];
  category: Category;
  status: Status;
  tier: Tier;
  contextWindow: { maxInputTokens: number; maxOutputTokens: number };
  pricing: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number };
}

export interface BuiltinProvider {
  id: string;
  type: ProviderType;
  displayName: string;
  envVar: string;
}

export const BUILTIN_MODELS: readonly BuiltinModel[] = data.models as BuiltinModel[];

/** Providers of the built-in catalogue, with the env var their key is read from when no override gives one. */
export const BUILTIN_PROVIDERS: readonly BuiltinProvider[] = [
  { id: "anthropic", type: "anthropic", displayName: "Anthropic", envVar: "ANTHROPIC_API_KEY" },
  { id: "openai", type: "openai", displayName: "OpenAI", envVar: "OPENAI_API_KEY" },
  { id: "google", type: "google", displayName: "Google Gemini", envVar: "GEMINI_API_KEY" },
  { id: "mistral", type: "mistral", displayName: "Mistral", envVar: "MISTRAL_API_KEY" },
  { id: "fireworks", type: "fireworks", displayName: "Fireworks", envVar: "FIREWORKS_API_KEY" },
];

/** Env vars for provider types whose override leaves `accessToken` out. */
export const KEY_ENV_VARS: Partial<Record<ProviderType, string>> = {
  anthropic: "ANTHROPIC_API_KEY",
  openai: "OPENAI_API_KEY",
  google: "GEMINI_API_KEY",
  mistral: "MISTRAL_API_KEY",
  fireworks: "FIREWORKS_API_KEY",
  openrouter: "OPENROUTER_API_KEY",
  vercel: "AI_GATEWAY_API_KEY",
};
