/**
 * The proxy issue's matrix, end to end: {OpenAI SDK, Anthropic SDK} × {openai, azureOpenAI, anthropic,
 * openaicompatible, mistral, fireworks} × {text, tools, thinking} × {stream, no stream}. Each cell checks
 * what the SDK parsed against the recorded fixture the mock replayed, and what the provider received.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Expected,
  expectedFromBody,
  expectedFromStream,
  type Flavour,
  type Kind,
  recordingFor,
} from "../mock-upstream/recordings.js";
import {
  gatewayToken,
  type Harness,
  kinds,
  type ProviderId,
  providerKeys,
  providers,
  startHarness,
} from "./gateway-harness.js";
import {
  anthropicParams,
  anthropicStopReason,
  anthropicUsageFor,
  callAnthropic,
  callOpenAI,
  openaiParams,
  openaiUsageFor,
} from "./proxy-sdk-calls.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.mock.reset());

const cells = providers.flatMap((provider) =>
  kinds.flatMap((kind) => [false, true].map((stream) => ({ provider, kind, stream }))),
);

function expectedFor(provider: ProviderId, kind: Kind, stream: boolean): Expected {
  const recording = recordingFor(provider as Flavour, kind);
  return stream ? expectedFromStream(recording) : expectedFromBody(recording.dialect, recording.body);
}

/** What each provider type must have received: path, auth, model name; never the gateway's token. */
function expectUpstreamCall(
  provider: ProviderId,
  kind: Kind,
  stream: boolean,
  anthropicVersion: RegExp = /^2023-06-01$/,
) {
  const received = h.mock.last(`/${provider}/`);
  expect(received.method).toBe("POST");
  expect(received.body.model).toBe(kind);
  expect(Boolean(received.body.stream)).toBe(stream);
  expect(JSON.stringify(received.headers)).not.toContain(gatewayToken);
  const headers = received.headers;
  switch (provider) {
    case "openai":
      expect(received.path).toBe("/openai/v1/chat/completions");
      expect(headers.authorization).toBe(`Bearer ${providerKeys.openai}`);
      break;
    case "azure":
      expect(received.path).toBe(`/azure/openai/deployments/${kind}/chat/completions`);
      expect(received.query.get("api-version")).toBe("2024-10-21");
      expect(headers["api-key"]).toBe(providerKeys.azure);
      expect(headers.authorization).toBeUndefined();
      break;
    case "anthropic":
      expect(received.path).toBe("/anthropic/v1/messages");
      expect(headers["x-api-key"]).toBe(providerKeys.anthropic);
      // The configured API version, or the one an Anthropic client named (passed through, DESIGN §8).
      expect(headers["anthropic-version"]).toMatch(anthropicVersion);
      expect(headers.authorization).toBeUndefined();
      expect(received.body.max_tokens).toBeGreaterThan(0);
      break;
    case "compat":
      expect(received.path).toBe("/compat/v1/chat/completions");
      expect(headers.authorization).toBe(`Bearer ${providerKeys.compat}`);
      break;
    case "mistral":
      expect(received.path).toBe("/mistral/v1/chat/completions");
      expect(headers.authorization).toBe(`Bearer ${providerKeys.mistral}`);
      break;
    case "fireworks":
      expect(received.path).toBe("/fireworks/inference/v1/chat/completions");
      expect(headers.authorization).toBe(`Bearer ${providerKeys.fireworks}`);
      break;
  }
  // Every OpenAI-family stream is metered (DESIGN §8), whatever the client asked.
  if (stream && provider !== "anthropic") expect(received.body.stream_options?.include_usage).toBe(true);
  return received;
}

describe("OpenAI SDK → every provider type", () => {
  it.each(cells)("$provider $kind stream=$stream", async ({ provider, kind, stream }) => {
    const expected = expectedFor(provider, kind, stream);
    const result = await callOpenAI(h.openai, openaiParams(`${provider}::v1::${kind}`, kind), stream);
    expect(result.text).toBe(expected.text);
    expect(result.reasoning).toBe(expected.reasoning);
    expect(result.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(
      expected.toolCalls,
    );
    expect(result.usage).toEqual(openaiUsageFor(expected.usage));
    expect(result.finish).toBe(expected.finish);
    expect(expected.text !== "" || expected.toolCalls.length > 0).toBe(true);
    const received = expectUpstreamCall(provider, kind, stream);
    if (provider === "anthropic") {
      // Translated: OpenAI messages became Anthropic ones; tools got an input_schema.
      expect(received.body.messages).toEqual([{ role: "user", content: "Hello" }]);
      if (kind !== "text")
        expect(received.body.tools[0].input_schema).toEqual(
          openaiParams("", kind).tools[0].function.parameters,
        );
      if (kind === "thinking") expect(received.body.thinking).toMatchObject({ type: "enabled" });
    } else {
      // Same dialect: the client's body, with only the model rewritten.
      expect(received.body.messages).toEqual([{ role: "user", content: "Hello" }]);
      if (kind === "thinking") expect(received.body.reasoning_effort).toBe("low");
    }
  });
});

describe("Anthropic SDK → every provider type", () => {
  it.each(cells)("$provider $kind stream=$stream", async ({ provider, kind, stream }) => {
    const expected = expectedFor(provider, kind, stream);
    const result = await callAnthropic(
      h.anthropic,
      anthropicParams(`${provider}::v1::${kind}`, kind),
      stream,
    );
    expect(result.text).toBe(expected.text);
    expect(result.reasoning).toBe(expected.reasoning);
    expect(result.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(
      expected.toolCalls,
    );
    expect(result.usage).toMatchObject(anthropicUsageFor(expected.usage));
    expect(result.stopReason).toBe(anthropicStopReason[expected.finish]);
    const received = expectUpstreamCall(provider, kind, stream, /^\d{4}-\d{2}-\d{2}$/);
    if (provider === "anthropic") {
      expect(received.body.messages).toEqual([{ role: "user", content: "Hello" }]);
      if (kind === "thinking")
        expect(received.body.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    } else {
      expect(received.body.messages).toEqual([{ role: "user", content: "Hello" }]);
      if (kind !== "text") {
        expect(received.body.tools).toEqual([
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "The weather at a place",
              parameters: anthropicParams("", kind).tools[0].input_schema,
            },
          },
        ]);
      }
    }
  });
});

describe("OpenAI SDK stream helper (chat.completions.stream → finalChatCompletion)", () => {
  // The helper checks chunks more strictly than plain iteration (a tool call needs its `index`).
  it.each(providers.flatMap((provider) => kinds.map((kind) => ({ provider, kind }))))(
    "$provider $kind",
    async ({ provider, kind }) => {
      const expected = expectedFor(provider, kind, true);
      const completion = await h.openai.chat.completions
        .stream({
          ...openaiParams(`${provider}::v1::${kind}`, kind),
          stream_options: { include_usage: true },
        })
        .finalChatCompletion();
      const message = completion.choices[0]!.message;
      expect(message.content ?? "").toBe(expected.text);
      expect(
        (message.tool_calls ?? []).map((call) => ({
          name: call.type === "function" ? call.function.name : "",
          arguments: call.type === "function" ? JSON.parse(call.function.arguments || "{}") : undefined,
        })),
      ).toEqual(expected.toolCalls);
      expect(completion.choices[0]!.finish_reason).toBe(expected.finish);
      expect(completion.usage?.prompt_tokens).toBe(expected.usage?.input);
    },
  );
});
