import {
  anthropicRefusal,
  anthropicToCanonicalRequest,
} from "../dialects/anthropic/anthropic-request-parse.js";
import {
  anthropicLegacyToCanonicalRequest,
  legacyMaxTokensMessage,
} from "../dialects/cody/anthropic-legacy-request.js";
import { chatEnvelope } from "../dialects/envelope.js";
import { geminiToCanonicalRequest } from "../dialects/gemini/gemini-request-parse.js";
import {
  openaiChatRefusal,
  openaiChatToCanonicalRequest,
} from "../dialects/openai/openai-chat-request-parse.js";
import { openaiCompletionsToCanonicalRequest } from "../dialects/openai/openai-completions.js";
import { responsesEnvelope } from "../dialects/openai-responses/responses-envelope.js";
import {
  responsesRefusal,
  responsesToCanonicalRequest,
} from "../dialects/openai-responses/responses-request-parse.js";
import type { GenerationRoute } from "./generation-route.js";

/** The body shapes of the generation routes; other ingresses (Cody) reuse them with their own feature and names. */
export const chatCompletions: GenerationRoute = {
  dialect: "openai",
  operation: "chat",
  feature: "chat",
  parse: openaiChatToCanonicalRequest,
  unparsed: {
    envelope: (body) => chatEnvelope(body, ["max_tokens", "max_completion_tokens"]),
    refusal: openaiChatRefusal,
  },
};

export const completions: GenerationRoute = {
  dialect: "openai",
  operation: "completions",
  feature: "codeCompletion",
  parse: openaiCompletionsToCanonicalRequest,
};

export const messages: GenerationRoute = {
  dialect: "anthropic",
  operation: "chat",
  feature: "chat",
  parse: anthropicToCanonicalRequest,
  unparsed: {
    // Anthropic streams always carry usage.
    envelope: (body) => {
      const envelope = chatEnvelope(body, ["max_tokens"]);
      if (envelope) envelope.request.includeUsage = true;
      return envelope;
    },
    refusal: anthropicRefusal,
  },
};

export const responses: GenerationRoute = {
  dialect: "openai-responses",
  operation: "responses",
  feature: "chat",
  parse: responsesToCanonicalRequest,
  unparsed: { envelope: responsesEnvelope, refusal: responsesRefusal },
};

/** Anthropic's legacy Text Completions (Cody's `/v1/completions/anthropic`): translated for any model. */
export const anthropicLegacy: GenerationRoute = {
  dialect: "anthropic-legacy",
  operation: "chat",
  feature: "chat",
  parse: anthropicLegacyToCanonicalRequest,
  aboveMaxTokens: legacyMaxTokensMessage,
};

/** Gemini's generateContent with Cody's `model` and `stream` (Cody's `/v1/completions/google`). */
export const geminiGenerate: GenerationRoute = {
  dialect: "gemini-generate",
  operation: "chat",
  feature: "chat",
  parse: geminiToCanonicalRequest,
};
