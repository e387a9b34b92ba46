import {
  anthropicRefusal,
  anthropicToCanonicalRequest,
} from "../dialects/anthropic/anthropic-request-parse.js";
import { chatEnvelope } from "../dialects/envelope.js";
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
import type { GenerationRoute } from "./generation-handler.js";

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
