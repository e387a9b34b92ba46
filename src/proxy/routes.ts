import {
  anthropicRefusal,
  anthropicToCanonicalRequest,
} from "../dialects/anthropic/anthropic-request-parse.js";
import type { Dialect } from "../dialects/dialect.js";
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
import { handleCountTokens } from "./count-tokens-handler.js";
import { handleEmbeddings } from "./embeddings-handler.js";
import type { Exchange } from "./exchange.js";
import { type GenerationRoute, handleGeneration } from "./generation-handler.js";
import type { ProxyDeps } from "./proxy-deps.js";

const chatCompletions: GenerationRoute = {
  dialect: "openai",
  operation: "chat",
  feature: "chat",
  parse: openaiChatToCanonicalRequest,
  unparsed: {
    envelope: (body) => chatEnvelope(body, ["max_tokens", "max_completion_tokens"]),
    refusal: openaiChatRefusal,
  },
};
const completions: GenerationRoute = {
  dialect: "openai",
  operation: "completions",
  feature: "codeCompletion",
  parse: openaiCompletionsToCanonicalRequest,
};
const messages: GenerationRoute = {
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

const responses: GenerationRoute = {
  dialect: "openai-responses",
  operation: "responses",
  feature: "chat",
  parse: responsesToCanonicalRequest,
  unparsed: { envelope: responsesEnvelope, refusal: responsesRefusal },
};

/** A client API route: POST only, answering in its dialect, served by the lane (src/server/lane/). */
export interface ProxyRoute {
  path: string;
  dialect: Dialect;
  handle(exchange: Exchange): Promise<void>;
}

/** The client API routes (DESIGN §5). */
export function proxyRoutes(deps: ProxyDeps): ProxyRoute[] {
  return [
    {
      path: "/v1/chat/completions",
      dialect: "openai",
      handle: (exchange) => handleGeneration(deps, chatCompletions, exchange),
    },
    {
      path: "/v1/completions",
      dialect: "openai",
      handle: (exchange) => handleGeneration(deps, completions, exchange),
    },
    { path: "/v1/embeddings", dialect: "openai", handle: (exchange) => handleEmbeddings(deps, exchange) },
    {
      path: "/v1/responses",
      dialect: "openai-responses",
      handle: (exchange) => handleGeneration(deps, responses, exchange),
    },
    {
      path: "/v1/messages",
      dialect: "anthropic",
      handle: (exchange) => handleGeneration(deps, messages, exchange),
    },
    {
      path: "/v1/messages/count_tokens",
      dialect: "anthropic",
      handle: (exchange) => handleCountTokens(deps, exchange),
    },
  ];
}
