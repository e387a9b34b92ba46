import { openAIFamily } from "../shared/openai-family.js";

/**
 * https://openrouter.ai/docs — OpenAI-compatible; attribution headers name the app, and the
 * `reasoning` object carries effort or a token budget for any model family.
 */
export const openrouterProvider = openAIFamily({
  defaultBaseUrl: "https://openrouter.ai/api",
  versionPrefix: "/v1",
  operations: ["chat", "completions", "embeddings"],
  headers: { "http-referer": "https://github.com/tollgate-gateway/tollgate", "x-title": "Tollgate" },
  openaiChatSettings: {
    maxTokensField: "max_tokens",
    reasoningParam: "reasoning",
    reasoningHistory: "reasoning_details",
    supportsTopK: true,
  },
});
