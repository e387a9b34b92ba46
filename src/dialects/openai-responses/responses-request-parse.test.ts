import { describe, expect, it } from "vitest";
import type { CanonicalMessage, ContentPart } from "../../canonical/content.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import { responsesToCanonicalRequest } from "./responses-request-parse.js";

function parsed(body: unknown): CanonicalRequest {
  const result = responsesToCanonicalRequest(body);
  if (!result.ok) throw new Error(result.error.message);
  return result.request;
}

function warningsOf(body: unknown) {
  const result = responsesToCanonicalRequest(body);
  if (!result.ok) throw new Error(result.error.message);
  return result.warnings;
}

function errorOf(body: unknown) {
  const result = responsesToCanonicalRequest(body);
  if (result.ok) throw new Error("expected an error");
  return result.error;
}

const messagesOf = (input: unknown[]): CanonicalMessage[] => parsed({ model: "m", input }).messages;

describe("responses request: input items", () => {
  it("reads a string input as one user message", () => {
    expect(parsed({ model: "gpt-5", input: "Hello" })).toEqual({
      model: "gpt-5",
      system: [],
      messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
      stream: false,
      includeUsage: true,
      extra: {},
    });
  });

  const cases: Array<[string, unknown[], CanonicalMessage[]]> = [
    [
      "a message without type, string content",
      [{ role: "user", content: "Hi" }],
      [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    ],
    [
      "user parts: text, image URL, data URL with detail, file, audio, image by file id",
      [
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "Look" },
            { type: "input_image", image_url: "https://example.com/a.png" },
            { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" },
            { type: "input_file", file_id: "file-1" },
            { type: "input_audio", input_audio: { data: "AAA", format: "wav" } },
            { type: "input_image", file_id: "file-2" },
          ],
        },
      ],
      [
        {
          role: "user",
          content: [
            { type: "text", text: "Look" },
            { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
            {
              type: "image",
              source: { type: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" },
              detail: "low",
            },
            { type: "opaque", dialect: "openai-responses", value: { type: "input_file", file_id: "file-1" } },
            {
              type: "opaque",
              dialect: "openai-responses",
              value: { type: "input_audio", input_audio: { data: "AAA", format: "wav" } },
            },
            {
              type: "opaque",
              dialect: "openai-responses",
              value: { type: "input_image", file_id: "file-2" },
            },
          ],
        },
      ],
    ],
    [
      "consecutive model items merge into one assistant message; outputs into one tool message",
      [
        { role: "user", content: "Weather in Paris and Rome?" },
        { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Two calls." }] },
        {
          type: "message",
          role: "assistant",
          id: "msg_1",
          status: "completed",
          content: [
            { type: "output_text", text: "Checking.", annotations: [] },
            { type: "refusal", refusal: "not that" },
          ],
        },
        {
          type: "function_call",
          id: "fc_1",
          call_id: "call_1",
          name: "weather",
          arguments: '{"city":"Paris"}',
        },
        { type: "function_call", call_id: "call_2", name: "weather", arguments: '{"city":"Rome"}' },
        { type: "function_call_output", call_id: "call_1", output: "sunny" },
        {
          type: "function_call_output",
          call_id: "call_2",
          output: [
            { type: "input_text", text: "rain" },
            { type: "input_image", image_url: "https://example.com/radar.png" },
          ],
        },
        { role: "assistant", content: "Paris sunny, Rome rain." },
      ],
      [
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "Two calls." },
            { type: "text", text: "Checking." },
            { type: "refusal", text: "not that" },
            { type: "tool-call", id: "call_1", name: "weather", arguments: '{"city":"Paris"}' },
            { type: "tool-call", id: "call_2", name: "weather", arguments: '{"city":"Rome"}' },
          ],
        },
        {
          role: "tool",
          content: [
            { type: "tool-result", toolCallId: "call_1", content: "sunny" },
            {
              type: "tool-result",
              toolCallId: "call_2",
              content: [
                { type: "text", text: "rain" },
                { type: "image", source: { type: "url", url: "https://example.com/radar.png" } },
              ],
            },
          ],
        },
        { role: "assistant", content: [{ type: "text", text: "Paris sunny, Rome rain." }] },
      ],
    ],
    [
      "an empty assistant message says nothing",
      [
        { role: "assistant", content: "" },
        { role: "user", content: "Hi" },
      ],
      [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    ],
    [
      "a namespaced function call gets the flat canonical name",
      [
        {
          type: "function_call",
          call_id: "c",
          name: "spawn_agent",
          namespace: "multi_agent_v1",
          arguments: "{}",
        },
      ],
      [
        {
          role: "assistant",
          content: [{ type: "tool-call", id: "c", name: "multi_agent_v1__spawn_agent", arguments: "{}" }],
        },
      ],
    ],
    [
      "model-side items stay opaque in the assistant turn, client-side ones in a user turn",
      [
        { type: "web_search_call", id: "ws_1", status: "completed", action: { type: "search", query: "q" } },
        { type: "custom_tool_call", call_id: "c1", name: "apply_patch", input: "*** Begin Patch" },
        { type: "custom_tool_call_output", call_id: "c1", output: "ok" },
        { type: "item_reference", id: "msg_9" },
      ],
      [
        {
          role: "assistant",
          content: [
            {
              type: "opaque",
              dialect: "openai-responses",
              value: {
                type: "web_search_call",
                id: "ws_1",
                status: "completed",
                action: { type: "search", query: "q" },
              },
            },
            {
              type: "opaque",
              dialect: "openai-responses",
              value: {
                type: "custom_tool_call",
                call_id: "c1",
                name: "apply_patch",
                input: "*** Begin Patch",
              },
            },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "opaque",
              dialect: "openai-responses",
              value: { type: "custom_tool_call_output", call_id: "c1", output: "ok" },
            },
          ],
        },
        {
          role: "user",
          content: [
            { type: "opaque", dialect: "openai-responses", value: { type: "item_reference", id: "msg_9" } },
          ],
        },
      ],
    ],
  ];

  it.each(cases)("%s", (_name, input, expected) => {
    expect(messagesOf(input)).toEqual(expected);
  });

  it("hoists system and developer messages, after instructions, in order", () => {
    const request = parsed({
      model: "m",
      instructions: "Be brief.",
      input: [
        { role: "developer", content: [{ type: "input_text", text: "Sandbox: none." }] },
        { role: "user", content: "Hi" },
        { type: "message", role: "system", content: "Answer in English." },
      ],
    });
    expect(request.system).toEqual([
      { type: "text", text: "Be brief." },
      { type: "text", text: "Sandbox: none.", developer: true },
      { type: "text", text: "Answer in English." },
    ]);
    expect(request.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
  });
});

describe("responses request: reasoning items", () => {
  const reasoningOf = (item: unknown): ContentPart[] => messagesOf([item])[0]?.content ?? [];

  it("keeps OpenAI's encrypted reasoning with its id and format, as OpenRouter does", () => {
    expect(
      reasoningOf({
        type: "reasoning",
        id: "rs_1",
        summary: [
          { type: "summary_text", text: "First." },
          { type: "summary_text", text: "Second." },
        ],
        content: null,
        encrypted_content: "gAAAAABenc",
      }),
    ).toEqual([
      { type: "reasoning", text: "First.", id: "rs_1", format: "openai-responses-v1" },
      { type: "reasoning", text: "Second.", id: "rs_1", format: "openai-responses-v1" },
      { type: "redacted-reasoning", data: "gAAAAABenc", id: "rs_1", format: "openai-responses-v1" },
    ]);
  });

  it("reads raw reasoning text when there is no summary, and an item without encrypted content as text", () => {
    expect(
      reasoningOf({
        type: "reasoning",
        summary: [],
        content: [{ type: "reasoning_text", text: "Thinking." }],
      }),
    ).toEqual([{ type: "reasoning", text: "Thinking." }]);
  });
});

describe("responses request: fields", () => {
  const full = {
    model: "gpt-5.5",
    instructions: "You are helpful.",
    input: "Hi",
    max_output_tokens: 500,
    temperature: 0.5,
    top_p: 0.9,
    parallel_tool_calls: false,
    tool_choice: { type: "function", name: "weather" },
    reasoning: { effort: "high", summary: "auto" },
    text: {
      format: {
        type: "json_schema",
        name: "answer",
        schema: { type: "object" },
        strict: true,
        description: "d",
      },
      verbosity: "low",
    },
    stream: true,
    user: "u-1",
    safety_identifier: "s-1",
    metadata: { team: "a" },
    store: false,
    include: ["reasoning.encrypted_content"],
    prompt_cache_key: "thread-1",
    service_tier: "priority",
    truncation: "auto",
    previous_response_id: "resp_0",
    background: false,
    stream_options: { include_obfuscation: false },
    client_metadata: { thread_id: "t" },
    tools: [
      {
        type: "function",
        name: "weather",
        description: "Weather now",
        parameters: { type: "object", properties: { city: { type: "string" } } },
        strict: true,
        defer_loading: true,
        output_schema: null,
      },
    ],
  };

  it("maps every canonical field and keeps the rest as extras", () => {
    const request = parsed(full);
    expect(request).toEqual({
      model: "gpt-5.5",
      system: [{ type: "text", text: "You are helpful." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      stream: true,
      includeUsage: true,
      maxOutputTokens: 500,
      temperature: 0.5,
      topP: 0.9,
      parallelToolCalls: false,
      toolChoice: { type: "tool", name: "weather" },
      reasoning: { effort: "high" },
      responseFormat: {
        type: "json-schema",
        name: "answer",
        schema: { type: "object" },
        strict: true,
        description: "d",
      },
      user: "u-1",
      metadata: { team: "a" },
      tools: [
        {
          type: "function",
          name: "weather",
          description: "Weather now",
          inputSchema: { type: "object", properties: { city: { type: "string" } } },
          strict: true,
          extra: { dialect: "openai-responses", fields: { defer_loading: true } },
        },
      ],
      extra: {
        "openai-responses": {
          reasoning: { summary: "auto" },
          text: { verbosity: "low" },
          safety_identifier: "s-1",
          store: false,
          include: ["reasoning.encrypted_content"],
          prompt_cache_key: "thread-1",
          service_tier: "priority",
          truncation: "auto",
          previous_response_id: "resp_0",
          background: false,
          stream_options: { include_obfuscation: false },
          client_metadata: { thread_id: "t" },
        },
      },
    });
  });

  const formats: Array<[unknown, unknown]> = [
    [{ type: "text" }, { type: "text" }],
    [{ type: "json_object" }, { type: "json" }],
    [
      { type: "json_schema", name: "x", schema: { type: "object" } },
      { type: "json-schema", name: "x", schema: { type: "object" } },
    ],
  ];
  it.each(formats)("text.format %j", (format, expected) => {
    expect(parsed({ input: "x", text: { format } }).responseFormat).toEqual(expected);
  });

  const choices: Array<[unknown, unknown, unknown]> = [
    ["auto", { type: "auto" }, undefined],
    ["none", { type: "none" }, undefined],
    ["required", { type: "required" }, undefined],
    [{ type: "function", name: "f" }, { type: "tool", name: "f" }, undefined],
    [
      { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "f" }] },
      { type: "required" },
      { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "f" }] },
    ],
    [{ type: "web_search_preview" }, { type: "auto" }, { type: "web_search_preview" }],
    [{ type: "custom", name: "apply_patch" }, { type: "auto" }, { type: "custom", name: "apply_patch" }],
  ];
  it.each(choices)("tool_choice %j", (choice, expected, kept) => {
    const request = parsed({ input: "x", tool_choice: choice });
    expect(request.toolChoice).toEqual(expected);
    expect(request.extra["openai-responses"]?.tool_choice).toEqual(kept);
  });

  it("uses safety_identifier as the user when user is absent", () => {
    const request = parsed({ input: "x", safety_identifier: "s-1" });
    expect(request.user).toBe("s-1");
    expect(request.extra).toEqual({});
  });

  it("flattens namespace tools and keeps other tools opaque", () => {
    const request = parsed({
      input: "x",
      tools: [
        {
          type: "namespace",
          name: "multi_agent_v1",
          description: "Sub-agents.",
          tools: [
            {
              type: "function",
              name: "spawn_agent",
              description: "Spawn.",
              strict: false,
              parameters: { type: "object" },
            },
            { type: "custom", name: "free", description: "Free text." },
          ],
        },
        { type: "web_search", external_web_access: true },
        {
          type: "custom",
          name: "apply_patch",
          format: { type: "grammar", syntax: "lark", definition: "start: x" },
        },
        { type: "tool_search", execution: "client" },
      ],
    });
    expect(request.tools).toEqual([
      {
        type: "function",
        name: "multi_agent_v1__spawn_agent",
        description: "Spawn.",
        strict: false,
        inputSchema: { type: "object" },
      },
      {
        type: "opaque",
        dialect: "openai-responses",
        value: { type: "custom", name: "free", description: "Free text.", namespace: "multi_agent_v1" },
      },
      {
        type: "opaque",
        dialect: "openai-responses",
        value: { type: "web_search", external_web_access: true },
      },
      {
        type: "opaque",
        dialect: "openai-responses",
        value: {
          type: "custom",
          name: "apply_patch",
          format: { type: "grammar", syntax: "lark", definition: "start: x" },
        },
      },
      { type: "opaque", dialect: "openai-responses", value: { type: "tool_search", execution: "client" } },
    ]);
  });

  it("does not require input when the conversation is stored at OpenAI", () => {
    expect(parsed({ previous_response_id: "resp_1" }).messages).toEqual([]);
    expect(parsed({ conversation: "conv_1" }).messages).toEqual([]);
    expect(parsed({ prompt: { id: "pmpt_1" } }).messages).toEqual([]);
  });
});

describe("responses request: strict errors name the field", () => {
  const errors: Array<[string, unknown, string]> = [
    ["body", "nope", "body"],
    ["missing input", { model: "m" }, "input"],
    ["input type", { input: 3 }, "input"],
    [
      "role",
      {
        input: [
          { role: "user", content: "a" },
          { role: "robot", content: "b" },
        ],
      },
      "input[1].role",
    ],
    [
      "user part type",
      {
        input: [
          {
            role: "user",
            content: [
              { type: "input_text", text: "a" },
              { type: "refusal", refusal: "b" },
            ],
          },
        ],
      },
      "input[0].content[1].type",
    ],
    [
      "image without url",
      { input: [{ role: "user", content: [{ type: "input_image" }] }] },
      "input[0].content[0].image_url",
    ],
    [
      "system image",
      { input: [{ role: "system", content: [{ type: "input_image", image_url: "u" }] }] },
      "input[0].content[0].type",
    ],
    ["call id", { input: [{ type: "function_call", name: "f", arguments: "{}" }] }, "input[0].call_id"],
    [
      "call arguments",
      { input: [{ type: "function_call", call_id: "c", name: "f", arguments: {} }] },
      "input[0].arguments",
    ],
    [
      "output type",
      { input: [{ type: "function_call_output", call_id: "c", output: 5 }] },
      "input[0].output",
    ],
    ["item type", { input: [{ type: 7 }] }, "input[0].type"],
    [
      "summary type",
      { input: [{ type: "reasoning", summary: [{ type: "x", text: "" }] }] },
      "input[0].summary[0].type",
    ],
    [
      "damaged envelope",
      { input: [{ type: "reasoning", summary: [], encrypted_content: "tollgate.v1:%%%" }] },
      "input[0].encrypted_content",
    ],
    ["tool name", { input: "x", tools: [{ type: "function" }] }, "tools[0].name"],
    ["tool type", { input: "x", tools: [{ name: "f" }] }, "tools[0].type"],
    [
      "namespace inner type",
      { input: "x", tools: [{ type: "namespace", name: "n", tools: [{ type: "mcp" }] }] },
      "tools[0].tools[0].type",
    ],
    ["tool_choice", { input: "x", tool_choice: "any" }, "tool_choice"],
    ["tool_choice name", { input: "x", tool_choice: { type: "function" } }, "tool_choice.name"],
    [
      "allowed mode",
      { input: "x", tool_choice: { type: "allowed_tools", mode: "x", tools: [] } },
      "tool_choice.mode",
    ],
    ["effort", { input: "x", reasoning: { effort: "extreme" } }, "reasoning.effort"],
    ["summary", { input: "x", reasoning: { summary: "long" } }, "reasoning.summary"],
    ["format type", { input: "x", text: { format: { type: "yaml" } } }, "text.format.type"],
    [
      "schema name",
      { input: "x", text: { format: { type: "json_schema", schema: {} } } },
      "text.format.name",
    ],
    ["verbosity", { input: "x", text: { verbosity: "loud" } }, "text.verbosity"],
    ["max_output_tokens", { input: "x", max_output_tokens: 0 }, "max_output_tokens"],
    ["temperature", { input: "x", temperature: 3 }, "temperature"],
    ["top_p", { input: "x", top_p: -1 }, "top_p"],
    ["stream", { input: "x", stream: "yes" }, "stream"],
    ["metadata", { input: "x", metadata: { a: 1 } }, "metadata.a"],
    ["store", { input: "x", store: "no" }, "store"],
    ["include", { input: "x", include: ["a", 1] }, "include[1]"],
    ["previous_response_id", { input: "x", previous_response_id: 1 }, "previous_response_id"],
    [
      "stream_options",
      { input: "x", stream_options: { include_obfuscation: 1 } },
      "stream_options.include_obfuscation",
    ],
  ];
  it.each(errors)("%s", (_name, body, field) => {
    expect(errorOf(body).field).toBe(field);
  });
});

describe("responses request: warnings", () => {
  it("warns about unknown item and tool types (passed on as they are) and tool-output files", () => {
    expect(
      warningsOf({
        input: [
          { type: "hologram_call", id: "h1" },
          { type: "hologram_output", call_id: "h1" },
          {
            type: "function_call_output",
            call_id: "c",
            output: [
              { type: "input_text", text: "see file" },
              { type: "input_file", file_id: "file-1" },
            ],
          },
        ],
        tools: [{ type: "teleport" }],
      }),
    ).toEqual([
      { field: "input[0].type", message: 'unknown input item type "hologram_call", passed on as it is' },
      { field: "input[1].type", message: 'unknown input item type "hologram_output", passed on as it is' },
      {
        field: "input[2].output[1]",
        message:
          "this input_file part of a function_call_output has no canonical form; only an OpenAI Responses upstream receives it",
      },
      { field: "tools[0].type", message: 'unknown tool type "teleport", passed on as it is' },
    ]);
  });

  it("has no warnings for a plain request", () => {
    expect(
      warningsOf({ model: "m", input: "hi", store: false, include: ["reasoning.encrypted_content"] }),
    ).toEqual([]);
  });
});
