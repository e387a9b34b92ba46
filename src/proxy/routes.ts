import type { ParseResult } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import { anthropicToCanonicalRequest } from "../dialects/anthropic/anthropic-request-parse.js";
import type { Dialect } from "../dialects/dialect.js";
import { chatEnvelope } from "../dialects/envelope.js";
import { openaiChatToCanonicalRequest } from "../dialects/openai/openai-chat-request-parse.js";
import { openaiCompletionsToCanonicalRequest } from "../dialects/openai/openai-completions.js";
import { responsesEnvelope } from "../dialects/openai-responses/responses-envelope.js";
import { responsesToCanonicalRequest } from "../dialects/openai-responses/responses-request-parse.js";
import { handleCountTokens } from "./count-tokens-handler.js";
import { handleEmbeddings } from "./embeddings-handler.js";
import type { Exchange } from "./exchange.js";
import { type GenerationRoute, handleGeneration } from "./generation-handler.js";
import { fieldError } from "./prepare.js";
import type { ProxyDeps } from "./proxy-deps.js";

/**
 * A parser whose fatal errors (an empty conversation, bytes that are not the image they claim) are refused at
 * once: the envelope's same-dialect pass-through must not forward them either.
 */
function refusingFatal(
  parse: (body: unknown) => ParseResult<CanonicalRequest>,
): (body: unknown) => ParseResult<CanonicalRequest> {
  return (body) => {
    const result = parse(body);
    if (!result.ok && result.error.fatal) throw fieldError(result.error);
    return result;
  };
}

const chatCompletions: GenerationRoute = {
  dialect: "openai",
  operation: "chat",
  feature: "chat",
  parse: refusingFatal(openaiChatToCanonicalRequest),
  envelope: (body) => chatEnvelope(body, ["max_tokens", "max_completion_tokens"]),
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
  parse: refusingFatal(anthropicToCanonicalRequest),
  // Anthropic streams always carry usage.
  envelope: (body) => {
    const envelope = chatEnvelope(body, ["max_tokens"]);
    if (envelope) envelope.request.includeUsage = true;
    return envelope;
  },
};

const responses: GenerationRoute = {
  dialect: "openai-responses",
  operation: "responses",
  feature: "chat",
  parse: refusingFatal(responsesToCanonicalRequest),
  envelope: responsesEnvelope,
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
