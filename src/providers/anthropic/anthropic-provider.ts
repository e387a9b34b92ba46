import { apiUrl } from "../shared/api-url.js";
import { type ProviderDefinition, sseWire } from "../types.js";

/** The API version Tollgate speaks (https://docs.anthropic.com/en/api/versioning). */
export const anthropicVersion = "2023-06-01";

export const anthropicProvider: ProviderDefinition = {
  wire: sseWire("anthropic"),
  anthropicHeaders: true,
  operations: new Set(["chat", "countTokens"]),
  target(call) {
    const config = call.provider.serverConfig;
    const base = ("endpoint" in config && config.endpoint) || "https://api.anthropic.com";
    const key = call.credential.key?.reveal();
    const headers: Record<string, string> = { "anthropic-version": anthropicVersion };
    if (key) headers["x-api-key"] = key;
    const path = call.operation === "countTokens" ? "/messages/count_tokens" : "/messages";
    return { endpoints: [{ url: apiUrl(base, "/v1", path), headers }], secrets: key ? [key] : [] };
  },
};
