import { describe, expect, it } from "vitest";
import type { ContentPart } from "../../canonical/content.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import type { JsonObject } from "../../canonical/validate.js";
import { anthropicToCanonicalRequest } from "../anthropic/anthropic-request-parse.js";
import { openaiChatToCanonicalRequest } from "../openai/openai-chat-request-parse.js";
import { type ConverseSettings, canonicalToConverseRequest } from "./converse-request-build.js";
import { converseResponseToCanonical } from "./converse-response.js";

const request = (over: Partial<CanonicalRequest> = {}): CanonicalRequest => ({
  model: undefined,
  system: [],
  messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
  stream: false,
  includeUsage: false,
  extra: {},
  ...over,
});

function build(over: Partial<CanonicalRequest>, settings: ConverseSettings = {}) {
  const result = canonicalToConverseRequest(request(over), settings);
  if (!result.ok) throw new Error(result.error.message);
  return result;
}

const userSays = (...content: ContentPart[]): Partial<CanonicalRequest> => ({
  messages: [{ role: "user", content }],
});

describe("canonical → Converse request, field by field", () => {
  const cases: Array<[string, Partial<CanonicalRequest>, ConverseSettings, JsonObject]> = [
    ["a user text", {}, {}, { messages: [{ role: "user", content: [{ text: "Hi" }] }] }],
    [
      "system parts, a cached one followed by a cachePoint with its ttl",
      {
        system: [
          { type: "text", text: "Be brief." },
          { type: "text", text: "Rules.", cacheControl: { type: "ephemeral", ttl: "1h" } },
        ],
      },
      {},
      {
        system: [{ text: "Be brief." }, { text: "Rules." }, { cachePoint: { type: "default", ttl: "1h" } }],
      },
    ],
    ["max tokens", { maxOutputTokens: 300 }, {}, { inferenceConfig: { maxTokens: 300 } }],
    ["the default max tokens", {}, { defaultMaxTokens: 4096 }, { inferenceConfig: { maxTokens: 4096 } }],
    [
      "the client's max tokens over the default",
      { maxOutputTokens: 10 },
      { defaultMaxTokens: 4096 },
      { inferenceConfig: { maxTokens: 10 } },
    ],
    [
      "sampling and stop sequences",
      { temperature: 0.3, topP: 0.9, stopSequences: ["END"] },
      {},
      { inferenceConfig: { temperature: 0.3, topP: 0.9, stopSequences: ["END"] } },
    ],
    [
      "stop sequences for Claude ask for the matched one back (non-streamed path)",
      { stopSequences: ["END"] },
      { modelFamily: "anthropic" },
      { inferenceConfig: { stopSequences: ["END"] }, additionalModelResponseFieldPaths: ["/stop_sequence"] },
    ],
    [
      "stop sequences for Claude ask for the matched one back (streamed path)",
      { stopSequences: ["END"], stream: true },
      { modelFamily: "anthropic" },
      {
        inferenceConfig: { stopSequences: ["END"] },
        additionalModelResponseFieldPaths: ["/delta/stop_sequence"],
      },
    ],
    [
      "top_k for Claude",
      { topK: 40 },
      { modelFamily: "anthropic" },
      { additionalModelRequestFields: { top_k: 40 } },
    ],
    [
      "a thinking budget for Claude",
      { maxOutputTokens: 8000, reasoning: { budgetTokens: 2048 } },
      { modelFamily: "anthropic" },
      {
        inferenceConfig: { maxTokens: 8000 },
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } },
      },
    ],
    [
      "thinking off for Claude",
      { reasoning: { enabled: false } },
      { modelFamily: "anthropic" },
      { additionalModelRequestFields: { thinking: { type: "disabled" } } },
    ],
    [
      "adaptive thinking for Claude",
      { reasoning: { adaptive: true } },
      { modelFamily: "anthropic" },
      { additionalModelRequestFields: { thinking: { type: "adaptive" } } },
    ],
    [
      "latency-optimized inference",
      {},
      { latencyOptimized: true },
      { performanceConfig: { latency: "optimized" } },
    ],
    [
      "metadata as request metadata",
      { metadata: { team: "search" } },
      {},
      { requestMetadata: { team: "search" } },
    ],
    [
      "function tools with their schema, strict mode and a cachePoint",
      {
        tools: [
          {
            type: "function",
            name: "weather",
            description: "Weather now",
            inputSchema: { type: "object", properties: { city: { type: "string" } } },
            strict: true,
          },
          { type: "function", name: "clock", strict: false, cacheControl: { type: "ephemeral" } },
        ],
      },
      {},
      {
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: "weather",
                description: "Weather now",
                inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
                strict: true,
              },
            },
            { toolSpec: { name: "clock", inputSchema: { json: { type: "object", properties: {} } } } },
            { cachePoint: { type: "default" } },
          ],
        },
      },
    ],
  ];

  it.each(cases)("%s", (_name, over, settings, expected) => {
    const result = build(over, settings);
    expect(result.body).toEqual({ messages: [{ role: "user", content: [{ text: "Hi" }] }], ...expected });
    expect(result.warnings).toEqual([]);
  });

  const tool = { type: "function" as const, name: "weather" };
  it.each([
    ["auto", { type: "auto" }, { auto: {} }],
    ["required", { type: "required" }, { any: {} }],
    ["one tool", { type: "tool", name: "weather" }, { tool: { name: "weather" } }],
  ] as const)("tool choice %s", (_name, toolChoice, expected) => {
    const result = build({ tools: [tool], toolChoice });
    expect(result.body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: "weather", inputSchema: { json: { type: "object", properties: {} } } } }],
      toolChoice: expected,
    });
  });

  it("has no model and no stream flag: both are in the URL", () => {
    const result = build({ model: "claude", stream: true });
    expect(result.body).not.toHaveProperty("model");
    expect(result.body).not.toHaveProperty("stream");
  });
});

describe("canonical → Converse request, content blocks", () => {
  it("writes images as bytes with their format, a cachePoint after a cached block", () => {
    const result = build(
      userSays(
        { type: "image", source: { type: "base64", mediaType: "image/jpeg", data: "/9j/" } },
        { type: "text", text: "What is it?", cacheControl: { type: "ephemeral", ttl: "5m" } },
      ),
    );
    expect(result.body.messages).toEqual([
      {
        role: "user",
        content: [
          { image: { format: "jpeg", source: { bytes: "/9j/" } } },
          { text: "What is it?" },
          { cachePoint: { type: "default", ttl: "5m" } },
        ],
      },
    ]);
  });

  it("replays signed and redacted reasoning as reasoningContent", () => {
    const result = build({
      messages: [
        { role: "user", content: [{ type: "text", text: "Count" }] },
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "Let me count.", signature: "sig" },
            { type: "redacted-reasoning", data: "ZW5j" },
            { type: "text", text: "Three." },
          ],
        },
        { role: "user", content: [{ type: "text", text: "Sure?" }] },
      ],
    });
    expect(result.body.messages).toEqual([
      { role: "user", content: [{ text: "Count" }] },
      {
        role: "assistant",
        content: [
          { reasoningContent: { reasoningText: { text: "Let me count.", signature: "sig" } } },
          { reasoningContent: { redactedContent: "ZW5j" } },
          { text: "Three." },
        ],
      },
      { role: "user", content: [{ text: "Sure?" }] },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("merges consecutive turns of one role (tool results and the user text after them)", () => {
    const result = build({
      messages: [
        { role: "user", content: [{ type: "text", text: "A" }] },
        { role: "user", content: [{ type: "text", text: "B" }] },
        { role: "assistant", content: [{ type: "tool-call", id: "t1", name: "f", arguments: "" }] },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "t1", content: "1" }] },
        { role: "user", content: [{ type: "text", text: "C" }] },
      ],
    });
    expect(result.body.messages).toEqual([
      { role: "user", content: [{ text: "A" }, { text: "B" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "f", input: {} } }] },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "t1", content: [{ text: "1" }] } }, { text: "C" }],
      },
    ]);
  });

  it("writes tool results with text and image content, status for Claude, a cachePoint after a cached one", () => {
    const result = build(
      {
        messages: [
          {
            role: "tool",
            content: [
              {
                type: "tool-result",
                toolCallId: "t1",
                isError: true,
                content: [
                  { type: "text", text: "failed", cacheControl: { type: "ephemeral" } },
                  { type: "image", source: { type: "base64", mediaType: "image/png", data: "iVBOR" } },
                ],
              },
              { type: "tool-result", toolCallId: "t2", content: "", isError: false },
            ],
          },
        ],
      },
      { modelFamily: "anthropic" },
    );
    expect(result.body.messages).toEqual([
      {
        role: "user",
        content: [
          {
            toolResult: {
              toolUseId: "t1",
              content: [{ text: "failed" }, { image: { format: "png", source: { bytes: "iVBOR" } } }],
              status: "error",
            },
          },
          { cachePoint: { type: "default" } },
          { toolResult: { toolUseId: "t2", content: [], status: "success" } },
        ],
      },
    ]);
  });

  it("rewrites tool ids Converse refuses, the same way for the call and its result", () => {
    const result = build({
      messages: [
        {
          role: "assistant",
          content: [
            { type: "tool-call", id: "functions.get_weather:0", name: "get_weather", arguments: "{}" },
          ],
        },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "functions.get_weather:0", content: "ok" }],
        },
      ],
    });
    expect(result.body.messages).toEqual([
      {
        role: "assistant",
        content: [{ toolUse: { toolUseId: "functions_get_weather_0", name: "get_weather", input: {} } }],
      },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "functions_get_weather_0", content: [{ text: "ok" }] } }],
      },
    ]);
    expect(result.warnings.map((warning) => warning.field)).toEqual([
      "messages[0].content[0].id",
      "messages[1].content[0].tool_call_id",
    ]);
  });
});

describe("canonical → Converse request, warnings", () => {
  const cases: Array<[string, Partial<CanonicalRequest>, ConverseSettings, string[], JsonObject?]> = [
    ["top_k for another family", { topK: 5 }, {}, ["top_k"]],
    ["reasoning for another family", { reasoning: { effort: "high" } }, {}, ["reasoning"]],
    [
      "an effort turned into a Claude budget",
      { maxOutputTokens: 20000, reasoning: { effort: "low" } },
      { modelFamily: "anthropic" },
      ["reasoning_effort"],
      { additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } } },
    ],
    [
      "max tokens raised above the Claude thinking budget",
      { maxOutputTokens: 1000, reasoning: { budgetTokens: 2048 } },
      { modelFamily: "anthropic" },
      ["max_tokens"],
      { inferenceConfig: { maxTokens: 3048 } },
    ],
    [
      "sampling dropped with Claude thinking on",
      { maxOutputTokens: 9000, temperature: 0.5, topP: 0.9, topK: 10, reasoning: { budgetTokens: 1024 } },
      { modelFamily: "anthropic" },
      ["temperature", "top_p", "top_k"],
      { inferenceConfig: { maxTokens: 9000 } },
    ],
    [
      "reasoning exclude",
      { reasoning: { exclude: true } },
      { modelFamily: "anthropic" },
      ["reasoning.exclude"],
    ],
    ["presence penalty", { presencePenalty: 1 }, {}, ["presence_penalty"]],
    ["frequency penalty", { frequencyPenalty: 1 }, {}, ["frequency_penalty"]],
    ["seed", { seed: 7 }, {}, ["seed"]],
    ["json output", { responseFormat: { type: "json" } }, {}, ["response_format"]],
    ["user", { user: "u-1" }, {}, ["user"]],
    ["metadata Converse cannot take", { metadata: { note: "naïve?" } }, {}, ["metadata"]],
    ["parallel tool calls off", { parallelToolCalls: false }, {}, ["parallel_tool_calls"]],
    ["a forced tool without tools", { toolChoice: { type: "required" } }, {}, ["tool_choice"]],
    [
      "tool choice none: the tools are left out",
      { tools: [{ type: "function", name: "f" }], toolChoice: { type: "none" } },
      {},
      ["tool_choice"],
    ],
    [
      "an opaque tool",
      { tools: [{ type: "opaque", dialect: "anthropic", value: { type: "web_search_20250305" } }] },
      {},
      ["tools[0]"],
    ],
    [
      "a tool setting of another dialect",
      {
        tools: [
          { type: "function", name: "f", extra: { dialect: "anthropic", fields: { defer_loading: true } } },
        ],
      },
      {},
      ["tools[0].defer_loading"],
    ],
    [
      "dialect extras",
      { extra: { openai: { logprobs: true }, anthropic: { service_tier: "auto" } } },
      {},
      ["logprobs", "service_tier"],
    ],
    [
      "a raw prompt with a suffix",
      { messages: [], prompt: { text: "def f(", suffix: "return" } },
      {},
      ["prompt", "suffix"],
      { messages: [{ role: "user", content: [{ text: "def f(" }] }] },
    ],
    [
      "an opaque part",
      userSays(
        { type: "text", text: "Hi" },
        { type: "opaque", dialect: "anthropic", value: { type: "document" } },
      ),
      {},
      ["messages[0].content[1]"],
    ],
    [
      "an image detail",
      userSays(
        { type: "text", text: "Hi" },
        { type: "image", source: { type: "base64", mediaType: "image/png", data: "x" }, detail: "low" },
      ),
      {},
      ["messages[0].content[1].detail"],
    ],
    [
      "reasoning without a signature",
      {
        messages: [
          { role: "user", content: [{ type: "text", text: "Hi" }] },
          {
            role: "assistant",
            content: [
              { type: "reasoning", text: "hmm" },
              { type: "text", text: "Hello" },
            ],
          },
        ],
      },
      {},
      ["messages[1].content[0]"],
    ],
    [
      "encrypted reasoning of another provider",
      {
        messages: [
          { role: "user", content: [{ type: "text", text: "Hi" }] },
          {
            role: "assistant",
            content: [
              { type: "redacted-reasoning", data: "gAAA", format: "openai-responses-v1" },
              { type: "text", text: "Hello" },
            ],
          },
        ],
      },
      {},
      ["messages[1].content[0]"],
    ],
    [
      "an empty text part and an empty system part",
      {
        system: [{ type: "text", text: "" }],
        ...userSays({ type: "text", text: "" }, { type: "text", text: "Hi" }),
      },
      {},
      ["system[0]", "messages[0].content[0]"],
    ],
    [
      "a tool error status for another family",
      {
        messages: [
          { role: "user", content: [{ type: "text", text: "Hi" }] },
          { role: "assistant", content: [{ type: "tool-call", id: "t", name: "f", arguments: "{}" }] },
          {
            role: "tool",
            content: [{ type: "tool-result", toolCallId: "t", content: "boom", isError: true }],
          },
        ],
      },
      {},
      ["messages[2].content[0].is_error"],
    ],
  ];

  it.each(cases)("%s", (_name, over, settings, fields, expected) => {
    const result = build(over, settings);
    expect(result.warnings.map((warning) => warning.field)).toEqual(fields);
    if (expected) expect(result.body).toMatchObject(expected);
  });

  it("keeps the tools when tool choice is none but the conversation has tool calls", () => {
    const result = build({
      tools: [{ type: "function", name: "f" }],
      toolChoice: { type: "none" },
      messages: [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        { role: "assistant", content: [{ type: "tool-call", id: "t", name: "f", arguments: "{}" }] },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "t", content: "1" }] },
      ],
    });
    expect(result.body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "object", properties: {} } } } }],
    });
    expect(result.warnings.map((warning) => warning.field)).toEqual(["tool_choice"]);
  });

  it("leaves out a message with nothing Converse can take", () => {
    const result = build({
      messages: [
        { role: "user", content: [{ type: "text", text: "A" }] },
        { role: "assistant", content: [{ type: "opaque", dialect: "openai", value: { type: "audio" } }] },
        { role: "user", content: [{ type: "text", text: "B" }] },
      ],
    });
    expect(result.body.messages).toEqual([{ role: "user", content: [{ text: "A" }, { text: "B" }] }]);
  });
});

describe("canonical → Converse request, refusals", () => {
  it.each([
    [
      "an image URL",
      userSays({ type: "image", source: { type: "url", url: "https://example.com/cat.png" } }),
      {},
      "messages[0].content[0].source",
      /image bytes/,
    ],
    [
      "an image format Converse lacks",
      userSays({ type: "image", source: { type: "base64", mediaType: "image/bmp", data: "Qk0" } }),
      {},
      "messages[0].content[0].source.media_type",
      /png, jpeg, gif or webp/,
    ],
    [
      "tool arguments that are not JSON",
      {
        messages: [
          { role: "assistant", content: [{ type: "tool-call", id: "t", name: "f", arguments: "{" }] },
        ],
      },
      {},
      "messages[0].content[0].arguments",
      /not valid JSON/,
    ],
    [
      "a tool id too long even after rewriting",
      {
        messages: [
          {
            role: "assistant",
            content: [{ type: "tool-call", id: "x".repeat(65), name: "f", arguments: "" }],
          },
        ],
      },
      {},
      "messages[0].content[0].id",
      /1 to 64/,
    ],
    ["several choices", { choices: 2 }, {}, "n", /one choice/],
    [
      "a thinking budget under Claude's minimum",
      { reasoning: { budgetTokens: 500 } },
      { modelFamily: "anthropic" },
      "reasoning.budget_tokens",
      /at least 1024/,
    ],
    [
      "a temperature above Claude's range",
      { temperature: 1.5 },
      { modelFamily: "anthropic" },
      "temperature",
      /0 and 1/,
    ],
  ] as const)("%s", (_name, over, settings, field, message) => {
    const result = canonicalToConverseRequest(request(over as Partial<CanonicalRequest>), settings);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.field).toBe(field);
    expect(result.error.message).toMatch(message);
  });

  it("passes a temperature above 1 to another family (the range is the model's)", () => {
    expect(build({ temperature: 1.5 }).body.inferenceConfig).toEqual({ temperature: 1.5 });
  });
});

describe("a tool round trip through Converse", () => {
  it("sends a canonical call and its result as toolUse then toolResult with the same id", () => {
    const result = build(
      {
        tools: [{ type: "function", name: "weather", inputSchema: { type: "object" } }],
        messages: [
          { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
          {
            role: "assistant",
            content: [
              { type: "text", text: "Checking." },
              { type: "tool-call", id: "call_9", name: "weather", arguments: '{"city":"Paris"}' },
            ],
          },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "call_9", content: "Sunny" }] },
        ],
      },
      { modelFamily: "anthropic" },
    );
    expect(result.body.messages).toEqual([
      { role: "user", content: [{ text: "Weather in Paris?" }] },
      {
        role: "assistant",
        content: [
          { text: "Checking." },
          { toolUse: { toolUseId: "call_9", name: "weather", input: { city: "Paris" } } },
        ],
      },
      { role: "user", content: [{ toolResult: { toolUseId: "call_9", content: [{ text: "Sunny" }] } }] },
    ]);
  });

  it("sends a call Converse returned back with its id, after an OpenAI client's tool message", () => {
    const answer = converseResponseToCanonical({
      output: {
        message: {
          role: "assistant",
          content: [{ toolUse: { toolUseId: "tooluse_abc-1", name: "weather", input: { city: "Oslo" } } }],
        },
      },
      stopReason: "tool_use",
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
    });
    if (!answer.ok) throw new Error(answer.error.message);
    const call = answer.response.content[0];
    if (call?.type !== "tool-call") throw new Error("expected a tool call");
    const parsed = openaiChatToCanonicalRequest({
      model: "m",
      messages: [
        { role: "user", content: "Weather in Oslo?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } },
          ],
        },
        { role: "tool", tool_call_id: call.id, content: "-3°C" },
      ],
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }],
    });
    if (!parsed.ok) throw new Error(parsed.error.message);
    const result = canonicalToConverseRequest(parsed.request, {});
    if (!result.ok) throw new Error(result.error.message);
    expect(result.body.messages).toEqual([
      { role: "user", content: [{ text: "Weather in Oslo?" }] },
      {
        role: "assistant",
        content: [{ toolUse: { toolUseId: "tooluse_abc-1", name: "weather", input: { city: "Oslo" } } }],
      },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "tooluse_abc-1", content: [{ text: "-3°C" }] } }],
      },
    ]);
    expect(result.warnings).toEqual([]);
  });
});

describe("an Anthropic client's request to Claude on Converse", () => {
  it("carries system, cache breakpoints, thinking, tools and tool choice", () => {
    const parsed = anthropicToCanonicalRequest({
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Need the tool.", signature: "sig-1" },
            { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "Sunny", is_error: false }],
        },
      ],
      tools: [
        { name: "weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
      ],
      tool_choice: { type: "auto" },
      thinking: { type: "enabled", budget_tokens: 2048 },
      stream: true,
    });
    if (!parsed.ok) throw new Error(parsed.error.message);
    const result = canonicalToConverseRequest(parsed.request, { modelFamily: "anthropic" });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.body).toEqual({
      messages: [
        { role: "user", content: [{ text: "Weather in Paris?" }] },
        {
          role: "assistant",
          content: [
            { reasoningContent: { reasoningText: { text: "Need the tool.", signature: "sig-1" } } },
            { toolUse: { toolUseId: "toolu_1", name: "weather", input: { city: "Paris" } } },
          ],
        },
        {
          role: "user",
          content: [
            { toolResult: { toolUseId: "toolu_1", content: [{ text: "Sunny" }], status: "success" } },
          ],
        },
      ],
      system: [{ text: "Be brief." }, { cachePoint: { type: "default" } }],
      inferenceConfig: { maxTokens: 4096 },
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: "weather",
              inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
            },
          },
        ],
        toolChoice: { auto: {} },
      },
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } },
    });
    expect(result.warnings).toEqual([]);
  });
});
