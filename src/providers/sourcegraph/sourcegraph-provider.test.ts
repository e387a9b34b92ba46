import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../canonical/validate.js";
import { Secret } from "../../config/index.js";
import { GatewayError } from "../../errors/index.js";
import type { ProviderCall } from "../types.js";
import {
  canonicalToCodyEmbeddingsRequest,
  codyEmbeddingsResponseToCanonical,
} from "./sourcegraph-embeddings.js";
import { sourcegraphProvider } from "./sourcegraph-provider.js";

type CallOptions = Partial<Pick<ProviderCall, "operation" | "stream" | "feature" | "requestId">> & {
  providerId?: string;
  endpoint?: string;
  serverSideConfig?: ProviderCall["model"]["serverSideConfig"];
};

function call(options: CallOptions = {}): ProviderCall {
  const providerId = options.providerId ?? "anthropic";
  return {
    provider: {
      id: providerId,
      serverConfig: { type: "sourcegraph", ...(options.endpoint ? { endpoint: options.endpoint } : {}) },
    } as ProviderCall["provider"],
    model: {
      ref: `${providerId}::v1::m`,
      providerId,
      modelName: "m",
      ...(options.serverSideConfig ? { serverSideConfig: options.serverSideConfig } : {}),
    } as ProviderCall["model"],
    operation: options.operation ?? "chat",
    stream: options.stream ?? true,
    credential: { key: new Secret(`slk_${"a".repeat(64)}`), mode: "config-key", origin: "config" },
    ...(options.feature ? { feature: options.feature } : {}),
    ...(options.requestId ? { requestId: options.requestId } : {}),
  };
}

const endpointOf = (c: ProviderCall) => sourcegraphProvider.target(c).endpoints[0]!;

describe("sourcegraph: the route by the model's Cody Gateway provider (cody.md §7.1)", () => {
  it.each([
    ["anthropic", "/v1/completions/anthropic-messages", "anthropic"],
    ["openai", "/v1/completions/openai", "openai"],
    ["fireworks", "/v1/completions/fireworks", "openai"],
    ["mistral", "/v1/completions/fireworks", "openai"],
    ["google", "/v1/completions/google", "gemini"],
  ])("provider id %s → %s, body in %s", (providerId, path, dialect) => {
    const c = call({ providerId });
    expect(endpointOf(c).url).toBe(`https://cody-gateway.sourcegraph.com${path}`);
    expect(sourcegraphProvider.wire(c.provider, c.model)).toEqual({ dialect, framing: "sse" });
  });

  it("a model's gatewayProvider wins over its provider id; the endpoint's /v1 is not repeated", () => {
    const c = call({
      providerId: "central",
      endpoint: "https://central.example/v1",
      serverSideConfig: { type: "sourcegraph", gatewayProvider: "anthropic" },
    });
    expect(endpointOf(c).url).toBe("https://central.example/v1/completions/anthropic-messages");
  });

  it("a provider Cody Gateway has no route for is refused with Cody's message", () => {
    const c = call({ providerId: "local" });
    expect(() => sourcegraphProvider.wire(c.provider, c.model)).toThrow(GatewayError);
    expect(() => sourcegraphProvider.target(c)).toThrow(
      'to use Cody Gateway, the provider ID ("local") must match one of [anthropic fireworks google openai]',
    );
  });

  it("only the Fireworks route takes a prompt for /v1/completions", () => {
    for (const [providerId, takes] of [
      ["fireworks", true],
      ["mistral", true],
      ["anthropic", false],
      ["openai", false],
      ["google", false],
    ] as const) {
      const c = call({ providerId });
      expect(sourcegraphProvider.legacyCompletions?.(c.provider, c.model)).toBe(takes);
    }
  });
});

describe("sourcegraph: headers", () => {
  it("bearer token, feature, request id; the token is a secret to scrub", () => {
    const target = sourcegraphProvider.target(call({ requestId: "req-123" }));
    expect(target.endpoints[0]!.headers).toEqual({
      authorization: `Bearer slk_${"a".repeat(64)}`,
      "x-sourcegraph-feature": "chat_completions",
      "x-request-id": "req-123",
    });
    expect(target.secrets).toEqual([`slk_${"a".repeat(64)}`]);
  });

  it.each([
    ["anthropic", "chat", "codeCompletion", "code_completions"],
    ["anthropic", "chat", "chat", "chat_completions"],
    ["google", "chat", "codeCompletion", "code_completions"],
    // Cody Gateway refuses code_completions on its OpenAI route.
    ["openai", "chat", "codeCompletion", "chat_completions"],
    // On the Fireworks route the feature says which Fireworks API the body is for.
    ["fireworks", "completions", "codeCompletion", "code_completions"],
    ["fireworks", "chat", "codeCompletion", "chat_completions"],
  ] as const)("%s, operation %s, feature %s → %s", (providerId, operation, feature, header) => {
    const headers = endpointOf(call({ providerId, operation, feature })).headers;
    expect(headers["x-sourcegraph-feature"]).toBe(header);
  });
});

describe("sourcegraph: bodies as Cody Gateway's request types take them", () => {
  it("Anthropic: the system prompt becomes a first message with role system; string content becomes blocks", () => {
    const messages = [{ role: "user", content: "hi" }];
    const body: JsonObject = {
      model: "m",
      system: [
        { type: "text", text: "be brief" },
        { type: "text", text: "be kind" },
      ],
      messages,
    };
    sourcegraphProvider.finalizeBody?.(body, call());
    expect(body).toEqual({
      model: "m",
      messages: [
        { role: "system", content: [{ type: "text", text: "be brief\n\nbe kind" }] },
        { role: "user", content: [{ type: "text", text: "hi" }] },
      ],
    });
    // The client's own objects are left as they came.
    expect(messages).toEqual([{ role: "user", content: "hi" }]);
  });

  it("Anthropic: a body already in Cody's form is left as it is (no copy)", () => {
    const messages = [{ role: "user", content: [{ type: "text", text: "hi" }] }];
    const body: JsonObject = { model: "m", messages };
    sourcegraphProvider.finalizeBody?.(body, call());
    expect(body.messages).toBe(messages);
  });

  it("OpenAI: text parts are written as a string; other content is left alone", () => {
    const image = { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] };
    const body: JsonObject = {
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "a" },
            { type: "text", text: "b" },
          ],
        },
        image,
      ],
    };
    sourcegraphProvider.finalizeBody?.(body, call({ providerId: "openai" }));
    expect(body.messages).toEqual([{ role: "user", content: "ab" }, image]);
  });

  it("Gemini: the model and the stream flag ride in the body", () => {
    const body: JsonObject = { contents: [] };
    sourcegraphProvider.finalizeBody?.(body, call({ providerId: "google", stream: false }));
    expect(body).toEqual({ contents: [], model: "m", stream: false });
  });

  it("Gemini: the system instruction is one string, as Cody Gateway's request type takes it", () => {
    const body: JsonObject = {
      contents: [],
      systemInstruction: { parts: [{ text: "Be " }, { text: "brief." }] },
    };
    sourcegraphProvider.finalizeBody?.(body, call({ providerId: "google", stream: true }));
    expect(body).toEqual({ contents: [], systemInstruction: "Be brief.", model: "m", stream: true });
  });
});

describe("sourcegraph: embeddings through Cody Gateway's /v1/embeddings", () => {
  it("goes to /v1/embeddings without a feature header, the model named as Cody names it", () => {
    const c = call({ providerId: "openai", operation: "embeddings", requestId: "r1" });
    const endpoint = endpointOf(c);
    expect(endpoint.url).toBe("https://cody-gateway.sourcegraph.com/v1/embeddings");
    expect(endpoint.headers).toEqual({ authorization: `Bearer slk_${"a".repeat(64)}`, "x-request-id": "r1" });
    expect(sourcegraphProvider.upstreamModel?.(c)).toBe("openai/m");
    expect(sourcegraphProvider.upstreamModel?.(call({ providerId: "openai" }))).toBe("m");
  });

  it("Cody's request and answer; tokens from X-Token-Usage, else an OpenAI-shaped answer's usage", () => {
    const built = canonicalToCodyEmbeddingsRequest(
      { model: undefined, input: ["a", "b"], single: false, extra: {} },
      "openai/text-embedding-ada-002",
    );
    expect(built).toMatchObject({
      ok: true,
      body: { model: "openai/text-embedding-ada-002", input: ["a", "b"], isQuery: false },
    });
    const cody = {
      embeddings: [
        { index: 1, data: [0.3] },
        { index: 0, data: [0.1, 0.2] },
      ],
      model: "m",
      dimensions: 2,
    };
    expect(codyEmbeddingsResponseToCanonical(cody, 200, { model: "m", inputTokenHeader: 7 })).toEqual({
      ok: true,
      response: {
        model: "m",
        data: [
          { index: 0, embedding: [0.1, 0.2] },
          { index: 1, embedding: [0.3] },
        ],
        inputTokens: 7,
      },
    });
    const openai = { data: [{ index: 0, embedding: [1] }], usage: { prompt_tokens: 4 } };
    expect(codyEmbeddingsResponseToCanonical(openai, 200, { model: "m" })).toMatchObject({
      ok: true,
      response: { inputTokens: 4 },
    });
    expect(codyEmbeddingsResponseToCanonical({ error: "x" }, 200, { model: "m" }).ok).toBe(false);
    expect(
      canonicalToCodyEmbeddingsRequest({ model: undefined, input: [[1, 2]], single: false, extra: {} }, "m")
        .ok,
    ).toBe(false);
  });
});
