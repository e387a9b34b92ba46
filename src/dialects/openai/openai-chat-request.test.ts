import { describe, expect, it } from "vitest";
import type { CanonicalRequest } from "../../canonical/request.js";
import { canonicalToOpenAIChatRequest } from "./openai-chat-request-build.js";
import { openaiChatToCanonicalRequest } from "./openai-chat-request-parse.js";

const fullRequest = {
  model: "gpt-4.1",
  messages: [
    { role: "developer", content: "Be brief." },
    { role: "system", content: "Answer in English." },
    { role: "user", content: "What is the weather in Paris?", name: "ann" },
    {
      role: "user",
      content: [
        { type: "text", text: "And this picture?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
      ],
    },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
      ],
      reasoning_details: [{ type: "reasoning.text", text: "Need the tool.", signature: "sig-1", index: 0 }],
    },
    { role: "tool", tool_call_id: "call_1", content: "Sunny, 21°C" },
    { role: "assistant", content: "It is sunny.", refusal: "no more" },
  ],
  max_completion_tokens: 300,
  temperature: 0.3,
  top_p: 0.9,
  n: 1,
  stop: ["###"],
  presence_penalty: 0.1,
  frequency_penalty: -0.2,
  seed: 42,
  tools: [
    {
      type: "function",
      function: {
        name: "weather",
        description: "Weather now",
        parameters: { type: "object", properties: { city: { type: "string" } } },
        strict: true,
      },
    },
  ],
  tool_choice: { type: "function", function: { name: "weather" } },
  parallel_tool_calls: false,
  response_format: {
    type: "json_schema",
    json_schema: { name: "answer", schema: { type: "object" }, strict: true },
  },
  reasoning_effort: "low",
  stream: true,
  stream_options: { include_usage: true },
  user: "user-7",
  metadata: { team: "a" },
  store: false,
  service_tier: "flex",
};

function parse(body: unknown): CanonicalRequest {
  const result = openaiChatToCanonicalRequest(body);
  if (!result.ok) throw new Error(result.error.message);
  return result.request;
}

describe("openai chat request", () => {
  it("round trips through the canonical form", () => {
    const built = canonicalToOpenAIChatRequest(parse(fullRequest), {
      model: "gpt-4.1",
      reasoningHistory: "reasoning_details",
    });
    // Every system and developer message becomes one first system message (self-hosted chat templates accept
    // no other); the rest round-trips unchanged.
    const [, , ...rest] = fullRequest.messages;
    expect(built).toEqual({
      ok: true,
      body: {
        ...fullRequest,
        messages: [{ role: "system", content: "Be brief.\n\nAnswer in English." }, ...rest],
      },
      warnings: [],
    });
  });

  it("reads into the canonical shape", () => {
    const request = parse(fullRequest);
    expect(request.system).toEqual([
      { type: "text", text: "Be brief.", developer: true },
      { type: "text", text: "Answer in English." },
    ]);
    expect(request.messages[1]?.content[1]).toEqual({
      type: "image",
      source: { type: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" },
      detail: "low",
    });
    expect(request.messages[2]?.content).toEqual([
      { type: "reasoning", text: "Need the tool.", signature: "sig-1" },
      { type: "tool-call", id: "call_1", name: "weather", arguments: '{"city":"Paris"}' },
    ]);
    expect(request.messages[3]).toEqual({
      role: "tool",
      content: [{ type: "tool-result", toolCallId: "call_1", content: "Sunny, 21°C" }],
    });
    expect(request.toolChoice).toEqual({ type: "tool", name: "weather" });
    expect(request.extra.openai).toEqual({ store: false, service_tier: "flex" });
    expect(request.includeUsage).toBe(true);
  });

  it("rejects invalid input naming the field", () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ model: "m" }, "messages", /is required/],
      [
        { messages: [{ role: "robot", content: "x" }] },
        "messages[0].role",
        /expected one of system, developer, user, assistant, tool/,
      ],
      [
        { messages: [{ role: "user", content: [{ type: "video" }] }] },
        "messages[0].content[0].type",
        /expected one of text, image_url/,
      ],
      [{ messages: [{ role: "user", content: "hi" }], temperature: 3 }, "temperature", /at most 2/],
      [{ messages: [{ role: "user", content: "hi" }], stop: ["a", "b", "c", "d", "e"] }, "stop", /at most 4/],
      [
        { messages: [{ role: "user", content: "hi" }], tool_choice: "sometimes" },
        "tool_choice",
        /expected one of auto, none, required/,
      ],
      [{ messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id", /expected a string/],
      [
        { messages: [{ role: "user", content: "hi" }], reasoning_effort: "huge" },
        "reasoning_effort",
        /expected one of none, minimal/,
      ],
      ["nope", "body", /expected an object/],
    ];
    for (const [body, field, message] of cases) {
      const result = openaiChatToCanonicalRequest(body);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.field).toBe(field);
        expect(result.error.message).toMatch(message);
        expect(result.error.message.startsWith(`${field}: `)).toBe(true);
      }
    }
  });

  it("accepts nulls as absent and Mistral's tool_choice any", () => {
    const request = parse({
      messages: [{ role: "user", content: "x" }],
      stop: null,
      temperature: null,
      tool_choice: "any",
    });
    expect(request.stopSequences).toBeUndefined();
    expect(request.toolChoice).toEqual({ type: "required" });
  });

  it("warns about what OpenAI cannot take, and rejects out-of-range values", () => {
    const request = parse({ messages: [{ role: "user", content: "x" }] });
    request.topK = 5;
    request.reasoning = { enabled: true, budgetTokens: 8000 };
    request.messages.push({
      role: "tool",
      content: [{ type: "tool-result", toolCallId: "t", content: "boom", isError: true }],
    });
    request.extra.anthropic = { service_tier: "auto" };
    const built = canonicalToOpenAIChatRequest(request, { model: "o3" });
    expect(built.ok && built.body.reasoning_effort).toBe("medium");
    expect(built.ok && built.warnings.map((warning) => warning.field)).toEqual([
      "messages[1].content[0].is_error",
      "top_k",
      "reasoning",
      "service_tier",
    ]);
    expect(built.ok && built.body).not.toHaveProperty("top_k");
    request.stopSequences = ["1", "2", "3", "4", "5"];
    expect(canonicalToOpenAIChatRequest(request, { model: "o3" })).toEqual({
      ok: false,
      error: {
        field: "stop_sequences",
        message: "stop_sequences: OpenAI accepts at most 4 stop sequences, got 5",
      },
    });
  });

  it("asks for stream usage even when the client did not, and sends budgets as OpenRouter reasoning", () => {
    const request = parse({ messages: [{ role: "user", content: "x" }], stream: true });
    request.reasoning = { budgetTokens: 2000, exclude: true };
    const built = canonicalToOpenAIChatRequest(request, { model: "openai/o3", reasoningParam: "reasoning" });
    expect(built.ok && built.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      reasoning: { max_tokens: 2000, exclude: true },
    });
  });
});
