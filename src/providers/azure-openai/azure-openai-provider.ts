import { withQuery } from "../shared/api-url.js";
import { type Operation, type ProviderCall, type ProviderDefinition, sseWire } from "../types.js";

/** The GA data-plane version used when the config names none (https://learn.microsoft.com/azure/ai-services/openai/reference). */
export const defaultAzureApiVersion = "2024-10-21";

const operationPaths: Record<Operation, string> = {
  chat: "/chat/completions",
  completions: "/completions",
  embeddings: "/embeddings",
  countTokens: "/chat/completions",
  // The OpenAI Responses API (`POST /v1/responses`), where the provider serves it.
  responses: "/responses",
};

function azureConfig(call: ProviderCall) {
  const config = call.provider.serverConfig;
  if (config.type !== "azureOpenAI")
    throw new Error(`provider ${call.provider.id} is not an Azure OpenAI provider`);
  return config;
}

/** The first data-plane version with the Responses API; a configured later one is used as it is. */
const firstResponsesApiVersion = "2025-03-01-preview";

function responsesApiVersion(configured: string | undefined): string {
  return configured !== undefined && configured.slice(0, 10) >= firstResponsesApiVersion.slice(0, 10)
    ? configured
    : "2025-04-01-preview";
}

/** The `/openai/v1` form takes the model in the body; the classic form names the deployment in the path. */
function usesV1Api(endpoint: string): boolean {
  return /\/openai\/v1\/?$/.test(endpoint);
}

export const azureOpenAIProvider: ProviderDefinition = {
  wire: sseWire("openai"),
  operations: new Set(["chat", "completions", "embeddings", "responses"]),
  openaiChatSettings: {
    maxTokensField: "max_completion_tokens",
    reasoningParam: "reasoning_effort",
    reasoningHistory: "drop",
    developerRole: true,
  },
  target(call) {
    const config = azureConfig(call);
    const endpoint = config.endpoint.replace(/\/+$/, "");
    const path = operationPaths[call.operation];
    const url = usesV1Api(endpoint)
      ? endpoint + path
      : call.operation === "responses"
        ? // The Responses API is not per deployment: the deployment goes in the body's `model`.
          withQuery(`${endpoint}/openai/responses`, "api-version", responsesApiVersion(config.apiVersion))
        : withQuery(
            `${endpoint}/openai/deployments/${encodeURIComponent(call.model.modelName)}${path}`,
            "api-version",
            config.apiVersion ?? defaultAzureApiVersion,
          );
    const key = call.credential.key?.reveal();
    const headers: Record<string, string> = {};
    if (key) headers["api-key"] = key;
    return { endpoints: [{ url, headers }], secrets: key ? [key] : [] };
  },
  finalizeBody(body, call) {
    const config = azureConfig(call);
    // Cody's `user` names the caller to Azure's abuse monitoring.
    if (config.user && body.user === undefined) body.user = config.user;
  },
};
