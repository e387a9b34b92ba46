import { openAIFamily } from "../shared/openai-family.js";

/** Vercel AI Gateway's OpenAI-compatible API (https://vercel.com/docs/ai-gateway/openai-compat). */
export const vercelProvider = openAIFamily({
  defaultBaseUrl: "https://ai-gateway.vercel.sh",
  versionPrefix: "/v1",
  operations: ["chat", "embeddings"],
  openaiChatSettings: {
    maxTokensField: "max_tokens",
    reasoningParam: "reasoning_effort",
    reasoningHistory: "drop",
  },
});
