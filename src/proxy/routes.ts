import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { anthropicToCanonicalRequest } from "../dialects/anthropic/anthropic-request-parse.js";
import { openaiChatToCanonicalRequest } from "../dialects/openai/openai-chat-request-parse.js";
import { openaiCompletionsToCanonicalRequest } from "../dialects/openai/openai-completions.js";
import { handleCountTokens } from "./count-tokens-handler.js";
import { handleEmbeddings } from "./embeddings-handler.js";
import { type GenerationRoute, handleGeneration } from "./generation-handler.js";
import type { ProxyDeps } from "./proxy-deps.js";

const chatCompletions: GenerationRoute = {
  dialect: "openai",
  operation: "chat",
  feature: "chat",
  parse: openaiChatToCanonicalRequest,
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
};

/** The client API routes (DESIGN §5), each answering in its dialect. */
export function registerProxyRoutes(
  app: FastifyInstance,
  options: { authenticate: onRequestHookHandler; deps: ProxyDeps },
): void {
  const { authenticate, deps } = options;
  const openai = { onRequest: authenticate, config: { dialect: "openai" as const } };
  const anthropic = { onRequest: authenticate, config: { dialect: "anthropic" as const } };
  app.post("/v1/chat/completions", openai, (request, reply) =>
    handleGeneration(deps, chatCompletions, request, reply),
  );
  app.post("/v1/completions", openai, (request, reply) =>
    handleGeneration(deps, completions, request, reply),
  );
  app.post("/v1/embeddings", openai, (request, reply) => handleEmbeddings(deps, request, reply));
  app.post("/v1/messages", anthropic, (request, reply) => handleGeneration(deps, messages, request, reply));
  app.post("/v1/messages/count_tokens", anthropic, (request, reply) =>
    handleCountTokens(deps, request, reply),
  );
}
