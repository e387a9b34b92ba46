import { describe, expect, it } from "vitest";
import { Secret } from "../../config/index.js";
import type { Operation, ProviderCall } from "../types.js";
import { azureOpenAIProvider } from "./azure-openai-provider.js";

function call(endpoint: string, operation: Operation, apiVersion?: string): ProviderCall {
  return {
    provider: {
      id: "azure",
      serverConfig: { type: "azureOpenAI", endpoint, ...(apiVersion ? { apiVersion } : {}) },
    } as ProviderCall["provider"],
    model: { modelName: "gpt-5-deployment" } as ProviderCall["model"],
    operation,
    stream: false,
    credential: { key: new Secret("azure-key"), mode: "config-key", origin: "config" },
  };
}

const urlOf = (target: ReturnType<typeof azureOpenAIProvider.target>) => target.endpoints[0]?.url;

describe("Azure OpenAI targets", () => {
  it("chat goes to the deployment with the configured or default api-version", () => {
    expect(urlOf(azureOpenAIProvider.target(call("https://r.openai.azure.com", "chat")))).toBe(
      "https://r.openai.azure.com/openai/deployments/gpt-5-deployment/chat/completions?api-version=2024-10-21",
    );
  });

  it("the Responses API is not per deployment, and needs an api-version that has it", () => {
    expect(urlOf(azureOpenAIProvider.target(call("https://r.openai.azure.com", "responses")))).toBe(
      "https://r.openai.azure.com/openai/responses?api-version=2025-04-01-preview",
    );
    expect(
      urlOf(azureOpenAIProvider.target(call("https://r.openai.azure.com", "responses", "2025-06-01"))),
    ).toBe("https://r.openai.azure.com/openai/responses?api-version=2025-06-01");
    expect(
      urlOf(azureOpenAIProvider.target(call("https://r.openai.azure.com", "responses", "2024-10-21"))),
    ).toBe("https://r.openai.azure.com/openai/responses?api-version=2025-04-01-preview");
  });

  it("the /openai/v1 form takes every operation under it, Responses included", () => {
    expect(urlOf(azureOpenAIProvider.target(call("https://r.openai.azure.com/openai/v1", "responses")))).toBe(
      "https://r.openai.azure.com/openai/v1/responses",
    );
    const target = azureOpenAIProvider.target(call("https://r.openai.azure.com/openai/v1/", "chat"));
    expect(urlOf(target)).toBe("https://r.openai.azure.com/openai/v1/chat/completions");
    expect(target.endpoints[0]?.headers).toEqual({ "api-key": "azure-key" });
  });
});
