import { openAIFamily } from "../shared/openai-family.js";

export const openaiProvider = openAIFamily({
  defaultBaseUrl: "https://api.openai.com",
  versionPrefix: "/v1",
  operations: ["chat", "completions", "embeddings", "responses"],
  // Reasoning models reject `max_tokens` (fixtures/vercel-ai/openai/reasoning-model-legacy-parameter-error.json).
  openaiChatSettings: {
    maxTokensField: "max_completion_tokens",
    reasoningParam: "reasoning_effort",
    reasoningHistory: "drop",
    developerRole: true,
  },
});
