import type { Capability, Category } from "../schema/enums.js";
import type { ModelClientSideConfig } from "../schema/model-configuration.js";

export interface SelfHostedDefaults {
  modelName: string;
  displayName: string;
  capabilities: Capability[];
  category: Category;
  contextWindow: { maxInputTokens: number; maxOutputTokens: number };
  clientSideConfig: ModelClientSideConfig;
}

const STARCODER_STOP = ["<|endoftext|>", "<file_sep>"];

/** Built-in settings of Cody's `selfHostedModels` enum (served through an OpenAI-compatible provider). */
export const SELF_HOSTED_DEFAULTS: Record<string, SelfHostedDefaults> = {
  "starcoder2-7b@v1": {
    modelName: "starcoder2-7b",
    displayName: "StarCoder2 7B",
    capabilities: ["autocomplete"],
    category: "speed",
    contextWindow: { maxInputTokens: 8192, maxOutputTokens: 4096 },
    clientSideConfig: { openaicompatible: { stopSequences: STARCODER_STOP, endOfText: "<|endoftext|>" } },
  },
  "starcoder2-15b@v1": {
    modelName: "starcoder2-15b",
    displayName: "StarCoder2 15B",
    capabilities: ["autocomplete"],
    category: "speed",
    contextWindow: { maxInputTokens: 8192, maxOutputTokens: 4096 },
    clientSideConfig: { openaicompatible: { stopSequences: STARCODER_STOP, endOfText: "<|endoftext|>" } },
  },
  "mistral-7b-instruct@v1": {
    modelName: "mistral-7b-instruct",
    displayName: "Mistral 7B Instruct",
    capabilities: ["chat", "edit"],
    category: "speed",
    contextWindow: { maxInputTokens: 8192, maxOutputTokens: 4096 },
    clientSideConfig: { openaicompatible: {} },
  },
  "mixtral-8x7b-instruct@v1": {
    modelName: "mixtral-8x7b-instruct",
    displayName: "Mixtral 8x7B Instruct",
    capabilities: ["chat", "edit"],
    category: "balanced",
    contextWindow: { maxInputTokens: 32000, maxOutputTokens: 4096 },
    clientSideConfig: { openaicompatible: {} },
  },
  "mixtral-8x22b-instruct@v1": {
    modelName: "mixtral-8x22b-instruct",
    displayName: "Mixtral 8x22B Instruct",
    capabilities: ["chat", "edit"],
    category: "accuracy",
    contextWindow: { maxInputTokens: 64000, maxOutputTokens: 4096 },
    clientSideConfig: { openaicompatible: {} },
  },
};
