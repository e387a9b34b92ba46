import type { CanonicalRequest } from "../../canonical/request.js";
import type { JsonObject } from "../../canonical/validate.js";
import { apiUrl } from "../shared/api-url.js";
import type { ProviderCall, UpstreamTarget } from "../types.js";

/** Mistral's fill-in-the-middle endpoint: POST /v1/fim/completions (https://docs.mistral.ai/api/#tag/fim). */
export function mistralFimTarget(call: ProviderCall): UpstreamTarget {
  const config = call.provider.serverConfig;
  const base = ("endpoint" in config && config.endpoint) || "https://api.mistral.ai";
  const key = call.credential.key?.reveal();
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  return {
    endpoints: [{ url: apiUrl(base, "/v1", "/fim/completions"), headers }],
    secrets: key ? [key] : [],
  };
}

/** The FIM body: prompt and suffix, and the sampling fields FIM accepts; its answers are chat-shaped. */
export function mistralFimBody(request: CanonicalRequest, model: string): JsonObject {
  const body: JsonObject = { model, prompt: request.prompt?.text ?? "", stream: request.stream };
  if (request.prompt?.suffix !== undefined) body.suffix = request.prompt.suffix;
  if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences !== undefined) body.stop = request.stopSequences;
  if (request.seed !== undefined) body.random_seed = request.seed;
  return body;
}
