import { z } from "zod";

export const CAPABILITIES = [
  "chat",
  "autocomplete",
  "edit",
  "vision",
  "tools",
  "reasoning",
  "embeddings",
] as const;
export const CATEGORIES = ["accuracy", "balanced", "speed", "other", "deprecated"] as const;
export const STATUSES = ["experimental", "beta", "stable", "deprecated", "waitlist"] as const;
export const TIERS = ["free", "pro", "enterprise"] as const;
export const PROVIDER_TYPES = [
  "anthropic",
  "openai",
  "azureOpenAI",
  "fireworks",
  "mistral",
  "google",
  "awsBedrock",
  "openaicompatible",
  "huggingface-tgi",
  "sourcegraph",
  "openrouter",
  "vercel",
] as const;
export const ANTHROPIC_EFFORTS = ["low", "medium", "high", "xhigh", "max"] as const;
export const OPENAI_REASONING_EFFORTS = ["minimal", "low", "medium", "high", "xhigh"] as const;
export const CODY_REASONING_EFFORTS = ["low", "medium", "high"] as const;
export const SELF_HOSTED_MODELS = [
  "starcoder2-7b@v1",
  "starcoder2-15b@v1",
  "mistral-7b-instruct@v1",
  "mixtral-8x7b-instruct@v1",
  "mixtral-8x22b-instruct@v1",
] as const;
export const RECOMMENDED_SETTINGS_REFS = [
  "bigcode::v1::starcoder2-7b",
  "bigcode::v1::starcoder2-15b",
  "mistral::v1::mistral-7b-instruct",
  "mistral::v1::mixtral-8x7b-instruct",
  "mistral::v1::mixtral-8x22b-instruct",
] as const;
export const FEATURES = ["chat", "fastChat", "codeCompletion", "embeddings", "*"] as const;

export type Capability = (typeof CAPABILITIES)[number];
export type Category = (typeof CATEGORIES)[number];
export type Status = (typeof STATUSES)[number];
export type Tier = (typeof TIERS)[number];
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export type Feature = (typeof FEATURES)[number];

export const capability = z.enum(CAPABILITIES);
export const category = z.enum(CATEGORIES);
export const status = z.enum(STATUSES);
export const tier = z.enum(TIERS);
