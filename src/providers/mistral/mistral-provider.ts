import { openAIFamily } from "../shared/openai-family.js";

/**
 * https://docs.mistral.ai/api/ — OpenAI-compatible chat. Mistral has no legacy completions API:
 * completions with a `suffix` go to its fill-in-the-middle endpoint (see mistral-fim.ts), the
 * others are served through chat.
 */
export const mistralProvider = openAIFamily({
  defaultBaseUrl: "https://api.mistral.ai",
  versionPrefix: "/v1",
  operations: ["chat", "embeddings"],
  openaiChatSettings: {
    maxTokensField: "max_tokens",
    reasoningParam: "reasoning_effort",
    reasoningHistory: "drop",
  },
});
