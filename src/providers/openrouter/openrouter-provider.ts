import { openAIFamily } from "../shared/openai-family.js";

/**
 * https://openrouter.ai/docs — OpenAI-compatible; the `X-Title` attribution header names the
 * app in OpenRouter's dashboards (`HTTP-Referer` would name a site, which a self-hosted gateway
 * does not have), and the `reasoning` object carries effort or a token budget for any model family.
 */
export const openrouterProvider = openAIFamily({
  defaultBaseUrl: "https://openrouter.ai/api",
  versionPrefix: "/v1",
  operations: ["chat", "completions", "embeddings"],
  headers: { "x-title": "Tollgate" },
  openaiChatSettings: {
    maxTokensField: "max_tokens",
    reasoningParam: "reasoning",
    reasoningHistory: "reasoning_details",
    supportsTopK: true,
  },
});
