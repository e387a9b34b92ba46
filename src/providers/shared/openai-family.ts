import {
  type Operation,
  type ProviderCall,
  type ProviderDefinition,
  sseWire,
  type UpstreamTarget,
} from "../types.js";
import { apiUrl } from "./api-url.js";

/** Settings that make one OpenAI-compatible vendor; everything else is shared. */
export interface OpenAIFamilySettings {
  /** Public base URL when the provider has no `endpoint`. */
  defaultBaseUrl: string;
  /** Version prefix before the operation path (`/v1`, Fireworks' `/inference/v1`). */
  versionPrefix: string;
  operations: readonly Operation[];
  /** Extra headers every call carries (attribution, for instance). */
  headers?: Record<string, string>;
  openaiChatSettings?: ProviderDefinition["openaiChatSettings"];
  finalizeBody?: ProviderDefinition["finalizeBody"];
}

const paths: Record<Operation, string> = {
  chat: "/chat/completions",
  completions: "/completions",
  embeddings: "/embeddings",
  countTokens: "/chat/completions",
  // The OpenAI Responses API (`POST /v1/responses`), where the provider serves it.
  responses: "/responses",
};

/** Bearer-token auth against one base URL: OpenAI, Fireworks, Mistral, OpenRouter, Vercel AI Gateway. */
export function openAIFamily(settings: OpenAIFamilySettings): ProviderDefinition {
  return {
    wire: sseWire("openai"),
    operations: new Set(settings.operations),
    openaiChatSettings: settings.openaiChatSettings,
    finalizeBody: settings.finalizeBody,
    target(call: ProviderCall): UpstreamTarget {
      const config = call.provider.serverConfig;
      const base = ("endpoint" in config && config.endpoint) || settings.defaultBaseUrl;
      const key = call.credential.key?.reveal();
      const headers: Record<string, string> = { ...settings.headers };
      if (key) headers.authorization = `Bearer ${key}`;
      return {
        endpoints: [{ url: apiUrl(base, settings.versionPrefix, paths[call.operation]), headers }],
        secrets: key ? [key] : [],
      };
    },
  };
}
