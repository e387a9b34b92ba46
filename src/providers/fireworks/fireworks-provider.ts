import { openAIFamily } from "../shared/openai-family.js";

/** https://docs.fireworks.ai/api-reference/post-chatcompletions — OpenAI-compatible under /inference/v1. */
export const fireworksProvider = openAIFamily({
  defaultBaseUrl: "https://api.fireworks.ai",
  versionPrefix: "/inference/v1",
  operations: ["chat", "completions", "embeddings"],
  openaiChatSettings: {
    maxTokensField: "max_tokens",
    reasoningParam: "reasoning_effort",
    reasoningHistory: "reasoning_content",
    supportsTopK: true,
  },
});
