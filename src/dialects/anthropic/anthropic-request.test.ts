import { describe, expect, it } from "vitest";
import type { CanonicalRequest } from "../../canonical/request.js";
import { canonicalToOpenAIChatRequest } from "../openai/openai-chat-request-build.js";
import { openaiChatToCanonicalRequest } from "../openai/openai-chat-request-parse.js";
import {
  canonicalToAnthropicCountTokensRequest,
  canonicalToAnthropicRequest,
} from "./anthropic-request-build.js";
import {
  anthropicCountTokensToCanonicalRequest,
  anthropicToCanonicalRequest,
} from "./anthropic-request-parse.js";

const fullRequest = {
  model: "claude-sonnet-4-5",
  max_tokens: 4096,
  messages: [
    { role: "user", content: "What is the weather in Paris?" },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Need the tool.", signature: "sig-1" },
        { type: "redacted_thinking", data: "opaque" },
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "Sunny", is_error: false },
        { type: "text", text: "Also this:", cache_control: { type: "ephemeral" } },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
        { type: "document", source: { type: "text", media_type: "text/plain", data: "doc" } },
      ],
    },
  ],
  system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral", ttl: "1h" } }],
  temperature: 1,
  top_k: 40,
  stop_sequences: ["###"],
  stream: true,
  metadata: { user_id: "user-7" },
  tools: [
    {
      name: "weather",
      description: "Weather now",
      input_schema: { type: "object", properties: { city: { type: "string" } } },
    },
    { type: "web_search_20250305", name: "web_search", max_uses: 2 },
  ],
  tool_choice: { type: "any", disable_parallel_tool_use: true },
  thinking: { type: "enabled", budget_tokens: 2048 },
  service_tier: "auto",
};

function parse(body: unknown): CanonicalRequest {
  const result = anthropicToCanonicalRequest(body);
  if (!result.ok) throw new Error(result.error.message);
  return result.request;
}

describe("anthropic request", () => {
  it("round trips through the canonical form", () => {
    const { temperature, top_k, ...withoutSampling } = fullRequest;
    // With thinking on, sampling parameters are not sent (and warned about); check the rest exactly.
    expect(canonicalToAnthropicRequest(parse(withoutSampling), { model: "claude-sonnet-4-5" })).toEqual({
      ok: true,
      body: withoutSampling,
      warnings: [],
    });
    const { thinking, ...withoutThinking } = fullRequest;
    expect(canonicalToAnthropicRequest(parse(withoutThinking), { model: "claude-sonnet-4-5" })).toEqual({
      ok: true,
      body: withoutThinking,
      warnings: [],
    });
  });

  it("splits tool results into a tool message and keeps signatures", () => {
    const request = parse(fullRequest);
    expect(request.messages.map((message) => message.role)).toEqual(["user", "assistant", "tool", "user"]);
    expect(request.messages[1]?.content[0]).toEqual({
      type: "reasoning",
      text: "Need the tool.",
      signature: "sig-1",
    });
    expect(request.messages[1]?.content[3]).toEqual({
      type: "tool-call",
      id: "toolu_1",
      name: "weather",
      arguments: '{"city":"Paris"}',
    });
    expect(request.toolChoice).toEqual({ type: "required" });
    expect(request.parallelToolCalls).toBe(false);
    expect(request.reasoning).toEqual({ enabled: true, budgetTokens: 2048 });
    expect(request.user).toBe("user-7");
    expect(request.extra.anthropic).toEqual({ service_tier: "auto" });
  });

  it("rejects invalid input naming the field", () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ messages: [{ role: "user", content: "hi" }] }, "max_tokens", /is required/],
      [
        { max_tokens: 10, messages: [{ role: "tool", content: "x" }] },
        "messages[0].role",
        /expected one of user, assistant, system/,
      ],
      [
        {
          max_tokens: 10,
          messages: [{ role: "system", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }],
        },
        "messages[0].content[0].type",
        /expected one of text/,
      ],
      [
        { max_tokens: 10, messages: [{ role: "user", content: "hi" }], output_config: { effort: "extreme" } },
        "output_config.effort",
        /expected one of/,
      ],
      [
        {
          max_tokens: 10,
          messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "video" }] }],
        },
        "messages[0].content[1].type",
        /expected one of text, image, tool_use, tool_result, thinking, redacted_thinking/,
      ],
      [
        { max_tokens: 10, messages: [{ role: "user", content: "hi" }], temperature: 1.5 },
        "temperature",
        /at most 1/,
      ],
      [
        {
          max_tokens: 10,
          messages: [{ role: "user", content: "hi" }],
          thinking: { type: "enabled", budget_tokens: 100 },
        },
        "thinking.budget_tokens",
        /at least 1024/,
      ],
      [
        {
          max_tokens: 10,
          messages: [{ role: "user", content: [{ type: "tool_use", id: "x", name: "f", input: [] }] }],
        },
        "messages[0].content[0].input",
        /expected an object/,
      ],
    ];
    for (const [body, field, message] of cases) {
      const result = anthropicToCanonicalRequest(body);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.field).toBe(field);
        expect(result.error.message).toMatch(message);
      }
    }
  });

  it("parses and builds count_tokens bodies without max_tokens", () => {
    const body = { model: "claude", messages: [{ role: "user", content: "hi" }], system: "Be brief." };
    const parsed = anthropicCountTokensToCanonicalRequest(body);
    expect(parsed.ok).toBe(true);
    if (parsed.ok)
      expect(canonicalToAnthropicCountTokensRequest(parsed.request, { model: "claude" })).toEqual({
        ok: true,
        body,
        warnings: [],
      });
  });
});

describe("Claude Code's newer fields (anthropic client → canonical → either dialect)", () => {
  const body = {
    model: "qwen3-coder",
    max_tokens: 32000,
    system: [{ type: "text", text: "Base." }],
    messages: [
      { role: "user", content: "go" },
      {
        role: "system",
        content: [{ type: "text", text: "Tools changed.", cache_control: { type: "ephemeral" } }],
      },
      { role: "system", content: "Later note." },
    ],
    thinking: { type: "adaptive", display: "omitted" },
    output_config: { effort: "high", format: { type: "json_schema" } },
    context_management: { edits: [] },
    tools: [{ name: "Glob", input_schema: { type: "object" }, defer_loading: true }],
  };

  it("reads system messages into the system prompt in order, effort into reasoning, tool extras as extras", () => {
    const result = anthropicToCanonicalRequest(body);
    if (!result.ok) throw new Error(result.error.message);
    const request = result.request;
    expect(request.system.map((part) => part.text)).toEqual(["Base.", "Tools changed.", "Later note."]);
    expect(request.system[1]?.cacheControl).toEqual({ type: "ephemeral" });
    expect(request.messages.map((message) => message.role)).toEqual(["user"]);
    expect(request.reasoning).toEqual({ enabled: true, adaptive: true, effort: "high" });
    expect(request.tools?.[0]).toMatchObject({
      name: "Glob",
      extra: { dialect: "anthropic", fields: { defer_loading: true } },
    });
    expect(request.extra.anthropic).toEqual({
      output_config: { format: { type: "json_schema" } },
      context_management: { edits: [] },
    });
  });

  it("to OpenAI: one system message, reasoning_effort, and a warning for each Anthropic-only setting", () => {
    const parsed = anthropicToCanonicalRequest(body);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const built = canonicalToOpenAIChatRequest(parsed.request, { model: "qwen3-coder" });
    if (!built.ok) throw new Error(built.error.message);
    expect(built.body.messages).toEqual([
      { role: "system", content: "Base.\n\nTools changed.\n\nLater note." },
      { role: "user", content: "go" },
    ]);
    expect(built.body.reasoning_effort).toBe("high");
    expect((built.body.tools as Array<{ function: object }>)[0]?.function).toEqual({
      name: "Glob",
      parameters: { type: "object" },
    });
    expect(built.warnings.map((warning) => warning.field).sort()).toEqual(
      ["context_management", "output_config", "system[1].cache_control", "tools[0].defer_loading"].sort(),
    );
  });

  it("to Anthropic (a rebuild): the tool's own extras come back", () => {
    const parsed = anthropicToCanonicalRequest(body);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const built = canonicalToAnthropicRequest(parsed.request, { model: "claude", defaultMaxTokens: 1000 });
    if (!built.ok) throw new Error(built.error.message);
    expect((built.body.tools as object[])[0]).toMatchObject({ name: "Glob", defer_loading: true });
  });
});

describe("openai client → anthropic upstream", () => {
  const openai = (body: unknown): CanonicalRequest => {
    const result = openaiChatToCanonicalRequest(body);
    if (!result.ok) throw new Error(result.error.message);
    return result.request;
  };

  it("hoists system prompts, groups tool results into one user turn and parses arguments", () => {
    const request = openai({
      model: "x",
      messages: [
        { role: "system", content: "S" },
        { role: "user", content: "Q" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "a", type: "function", function: { name: "f", arguments: '{"n":1}' } },
            { id: "b", type: "function", function: { name: "f", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "a", content: "1" },
        { role: "tool", tool_call_id: "b", content: "2" },
        { role: "user", content: "thanks" },
      ],
      tool_choice: "required",
      parallel_tool_calls: false,
      user: "u",
    });
    const built = canonicalToAnthropicRequest(request, { model: "claude", defaultMaxTokens: 1024 });
    expect(built).toEqual({
      ok: true,
      warnings: [],
      body: {
        model: "claude",
        max_tokens: 1024,
        system: "S",
        messages: [
          { role: "user", content: "Q" },
          {
            role: "assistant",
            content: [
              { type: "tool_use", id: "a", name: "f", input: { n: 1 } },
              { type: "tool_use", id: "b", name: "f", input: {} },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "a", content: "1" },
              { type: "tool_result", tool_use_id: "b", content: "2" },
              { type: "text", text: "thanks" },
            ],
          },
        ],
        metadata: { user_id: "u" },
        tool_choice: { type: "any", disable_parallel_tool_use: true },
      },
    });
  });

  it("maps effort to a thinking budget, raises max_tokens and drops sampling, with warnings", () => {
    const request = openai({
      messages: [{ role: "user", content: "Q" }],
      reasoning_effort: "medium",
      max_tokens: 1000,
      temperature: 0.5,
      seed: 1,
    });
    const built = canonicalToAnthropicRequest(request, { model: "claude" });
    expect(built.ok && built.body).toMatchObject({
      thinking: { type: "enabled", budget_tokens: 8192 },
      max_tokens: 9192,
    });
    expect(built.ok && built.body).not.toHaveProperty("temperature");
    expect(built.ok && built.warnings.map((warning) => warning.field)).toEqual([
      "reasoning_effort",
      "max_tokens",
      "temperature",
      "seed",
    ]);
  });

  it("rejects what Anthropic cannot take instead of clamping", () => {
    const hot = openai({ messages: [{ role: "user", content: "Q" }], temperature: 1.5, max_tokens: 10 });
    expect(canonicalToAnthropicRequest(hot, { model: "claude" })).toEqual({
      ok: false,
      error: { field: "temperature", message: "temperature: must be between 0 and 1 for Anthropic, got 1.5" },
    });
    const noMax = openai({ messages: [{ role: "user", content: "Q" }] });
    expect(canonicalToAnthropicRequest(noMax, { model: "claude" }).ok).toBe(false);
    const badArgs = openai({
      max_tokens: 5,
      messages: [
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: "{oops" } }],
        },
      ],
    });
    const result = canonicalToAnthropicRequest(badArgs, { model: "claude" });
    expect(!result.ok && result.error.field).toBe("messages[0].content[0].arguments");
  });

  it("does not send unsigned reasoning back to Anthropic", () => {
    const request = openai({
      max_tokens: 5,
      messages: [{ role: "assistant", content: "A", reasoning_content: "thoughts" }],
    });
    const built = canonicalToAnthropicRequest(request, { model: "claude" });
    expect(built.ok && built.body.messages).toEqual([{ role: "assistant", content: "A" }]);
    expect(built.ok && built.warnings[0]?.field).toBe("messages[0].content[0]");
  });

  it("carries an Anthropic signature through an OpenAI client's echoed reasoning_details", () => {
    const anthropic = parse({
      max_tokens: 5,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "T", signature: "S" },
            { type: "text", text: "A" },
          ],
        },
      ],
    });
    const asOpenAI = canonicalToOpenAIChatRequest(anthropic, {
      model: "m",
      reasoningHistory: "reasoning_details",
    });
    const back = openai(asOpenAI.ok ? asOpenAI.body : {});
    const rebuilt = canonicalToAnthropicRequest(back, { model: "claude" });
    expect(rebuilt.ok && rebuilt.body.messages).toEqual([
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "T", signature: "S" },
          { type: "text", text: "A" },
        ],
      },
    ]);
  });
});
