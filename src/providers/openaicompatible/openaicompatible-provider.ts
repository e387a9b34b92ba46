import { withQuery } from "../shared/api-url.js";
import { type Operation, type ProviderDefinition, sseWire, type UpstreamEndpoint } from "../types.js";

const operationPaths: Record<Operation, string> = {
  chat: "/chat/completions",
  completions: "/completions",
  embeddings: "/embeddings",
  countTokens: "/chat/completions",
  // The OpenAI Responses API (`POST /v1/responses`), where the provider serves it.
  responses: "/responses",
};

/**
 * Any OpenAI-compatible server (vLLM, Ollama, TGI, LiteLLM, another Tollgate). Each endpoint
 * authenticates its own way: `headers` replace the bearer token, `accessTokenQuery` sends the
 * token as a query parameter, otherwise `Authorization: Bearer` when a token is set.
 */
export const openaiCompatibleProvider: ProviderDefinition = {
  wire: sseWire("openai"),
  operations: new Set(["chat", "completions", "embeddings"]),
  openaiChatSettings: {
    maxTokensField: "max_tokens",
    reasoningParam: "reasoning_effort",
    reasoningHistory: "reasoning_content",
    supportsTopK: true,
  },
  target(call) {
    const config = call.provider.serverConfig;
    if (config.type !== "openaicompatible" && config.type !== "huggingface-tgi") {
      throw new Error(`provider ${call.provider.id} is not OpenAI-compatible`);
    }
    const secrets: string[] = [];
    const endpoints: UpstreamEndpoint[] = config.endpoints.map((endpoint) => {
      let url = endpoint.url.replace(/\/+$/, "") + operationPaths[call.operation];
      const headers: Record<string, string> = {};
      // A caller's own key, or a central key set through the admin API, replaces the configured credentials
      // (the endpoint's token and its headers, which carry the deployment's own); otherwise the endpoint's wins.
      const replacing = call.credential.origin === "user" || call.credential.origin === "stored";
      const token = replacing
        ? call.credential.key?.reveal()
        : endpoint.accessToken?.reveal() || call.credential.key?.reveal();
      if (endpoint.headers && !replacing) {
        for (const [name, value] of Object.entries(endpoint.headers)) {
          headers[name.toLowerCase()] = value.reveal();
          secrets.push(value.reveal());
        }
      } else if (token && endpoint.accessTokenQuery) {
        url = withQuery(url, endpoint.accessTokenQuery, token);
      } else if (token) {
        headers.authorization = `Bearer ${token}`;
      }
      if (token) secrets.push(token);
      return { url, headers };
    });
    return { endpoints, secrets };
  },
};
