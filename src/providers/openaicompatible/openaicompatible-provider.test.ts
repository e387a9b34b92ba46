import { describe, expect, it } from "vitest";
import { Secret } from "../../config/index.js";
import type { CredentialOrigin } from "../../credentials/call-credential.js";
import type { ProviderCall } from "../types.js";
import { openaiCompatibleProvider } from "./openaicompatible-provider.js";

/** An endpoint that authenticates with configured headers (the deployment's key) and one with a token. */
function call(origin: CredentialOrigin, key?: string): ProviderCall {
  return {
    provider: {
      id: "internal",
      serverConfig: {
        type: "openaicompatible",
        endpoints: [
          { url: "https://llm.internal/v1", headers: { Authorization: new Secret("Bearer deployment-key") } },
          { url: "https://llm2.internal/v1", accessToken: new Secret("endpoint-token") },
        ],
      },
    } as unknown as ProviderCall["provider"],
    model: { modelName: "m" } as ProviderCall["model"],
    operation: "chat",
    stream: false,
    credential: { key: key === undefined ? undefined : new Secret(key), mode: "config-key", origin },
  };
}

describe("OpenAI-compatible credentials", () => {
  it("the configured headers and tokens authenticate calls made with the central credentials", () => {
    const target = openaiCompatibleProvider.target(call("keyless"));
    expect(target.endpoints.map((endpoint) => endpoint.headers.authorization)).toEqual([
      "Bearer deployment-key",
      "Bearer endpoint-token",
    ]);
  });

  it.each([["user"], ["stored"]] as const)(
    "a %s key replaces the deployment's headers and tokens on every endpoint",
    (origin) => {
      const target = openaiCompatibleProvider.target(call(origin, "sk-callers-own"));
      expect(target.endpoints.map((endpoint) => endpoint.headers)).toEqual([
        { authorization: "Bearer sk-callers-own" },
        { authorization: "Bearer sk-callers-own" },
      ]);
      expect(target.secrets).toContain("sk-callers-own");
    },
  );
});
