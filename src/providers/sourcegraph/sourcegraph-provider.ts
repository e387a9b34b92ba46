/**
 * `sourcegraph`: a Cody Gateway–compatible upstream (reference/cody.md §7.1), Cody Gateway itself or another
 * Tollgate, so gateways chain (an edge per region, a central one that holds the keys). `accessToken` is the
 * instance's `slk_…` token, or a Tollgate token of the next gateway. Errors come back as Cody's `{"error": …}`
 * bodies and plain-text 429s with an RFC 1123 `retry-after`, which the upstream client's mapping reads as they are.
 */
import { codyFeatureHeader } from "../../dialects/cody/cody-headers.js";
import { apiUrl } from "../shared/api-url.js";
import {
  defaultUpstreamModel,
  type ProviderCall,
  type ProviderDefinition,
  type UpstreamTarget,
} from "../types.js";
import { codyAnthropicBody, codyGeminiBody, codyOpenAIBody } from "./sourcegraph-body.js";
import { codyGatewayRoute, gatewayProviderOf } from "./sourcegraph-routes.js";

/** Cody Gateway names embeddings models with their provider (`openai/text-embedding-ada-002`). */
function codyEmbeddingsModel(call: ProviderCall): string {
  const name = defaultUpstreamModel(call);
  return name.includes("/") ? name : `${gatewayProviderOf(call.model)}/${name}`;
}

/** Cody Gateway in production (cody.md §1.2). */
export const CODY_GATEWAY_ENDPOINT = "https://cody-gateway.sourcegraph.com";

export const sourcegraphProvider: ProviderDefinition = {
  wire: (_provider, model) => codyGatewayRoute(model).wire,
  // Chat on every route; a prompt (`/v1/completions`) only where the route takes one (legacyCompletions).
  operations: new Set(["chat", "completions", "embeddings"]),
  embeddingsApi: () => "cody",
  upstreamModel: (call) =>
    call.operation === "embeddings" ? codyEmbeddingsModel(call) : defaultUpstreamModel(call),
  legacyCompletions: (_provider, model) => codyGatewayRoute(model).takesPrompt,
  // Cody Gateway's OpenAI and Fireworks request types know `max_tokens` only.
  openaiChatSettings: { maxTokensField: "max_tokens", reasoningHistory: "drop" },
  // A chained Tollgate passes an Anthropic client's betas on to Anthropic; Cody Gateway ignores them.
  anthropicHeaders: true,
  target(call): UpstreamTarget {
    const config = call.provider.serverConfig;
    const base = ("endpoint" in config && config.endpoint) || CODY_GATEWAY_ENDPOINT;
    const key = call.credential.key?.reveal();
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    // The next gateway keeps it as its own request id (src/server/request-id.ts), so logs and events join.
    if (call.requestId) headers["x-request-id"] = call.requestId;
    // Cody Gateway's embeddings route has its feature fixed; its completions routes require the header.
    if (call.operation === "embeddings") {
      return { endpoints: [{ url: apiUrl(base, "/v1", "/embeddings"), headers }], secrets: key ? [key] : [] };
    }
    const route = codyGatewayRoute(call.model);
    headers[codyFeatureHeader] = route.feature(call);
    return { endpoints: [{ url: apiUrl(base, "/v1", route.path), headers }], secrets: key ? [key] : [] };
  },
  finalizeBody(body, call) {
    const dialect = codyGatewayRoute(call.model).wire.dialect;
    if (dialect === "anthropic") codyAnthropicBody(body);
    else if (dialect === "gemini") codyGeminiBody(body, defaultUpstreamModel(call), call.stream);
    else if (call.operation === "chat") codyOpenAIBody(body);
  },
};
