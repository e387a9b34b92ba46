import { describe, expect, it } from "vitest";
import { readChunks, readHadrian } from "../../../test/fixtures-helpers/fixtures.js";
import { decodeAll } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { createAnthropicStreamDecoder } from "../anthropic/anthropic-stream-decoder.js";
import { createOpenAIStreamDecoder } from "../openai/openai-stream-decoder.js";
import { parseSseText } from "../sse.js";
import { responsesToCanonicalRequest } from "./responses-request-parse.js";
import type { ResponsesOutputOptions } from "./responses-response.js";
import { createResponsesStreamEncoder } from "./responses-stream-encoder.js";

// biome-ignore lint/suspicious/noExplicitAny: SSE payloads are read freely in assertions
type Json = Record<string, any>;

/** Encodes canonical events and reads the SSE back: every record is named after its payload's type. */
function run(events: CanonicalStreamEvent[], options: ResponsesOutputOptions = {}): Json[] {
  const encoder = createResponsesStreamEncoder(options);
  const text = events.map((event) => encoder.encode(event)).join("") + encoder.end();
  return parseSseText(text).map((record) => {
    const data = JSON.parse(record.data) as Json;
    expect(record.event).toBe(data.type);
    return data;
  });
}

const usage = {
  inputTokens: 30,
  outputTokens: 12,
  cacheReadTokens: 10,
  cacheWriteTokens: 0,
  reasoningTokens: 4,
};
const responsesUsage = {
  input_tokens: 30,
  input_tokens_details: { cached_tokens: 10 },
  output_tokens: 12,
  output_tokens_details: { reasoning_tokens: 4 },
  total_tokens: 42,
};
const start: CanonicalStreamEvent = { type: "message-start", id: "msg_1", model: "claude-x", created: 1700 };
const done = (unified: "stop" | "tool_calls" | "length", raw: string): CanonicalStreamEvent[] => [
  { type: "usage", usage },
  { type: "finish", finish: { unified, raw } },
];

const textItem = (text: string, status: string) => ({
  id: "msg_msg1_0",
  type: "message",
  status,
  content: status === "completed" ? [{ type: "output_text", annotations: [], logprobs: [], text }] : [],
  role: "assistant",
});
const textPart = (text: string) => ({ type: "output_text", annotations: [], logprobs: [], text });
const at = (itemId: string, outputIndex: number, contentIndex?: number) =>
  contentIndex === undefined
    ? { item_id: itemId, output_index: outputIndex }
    : { item_id: itemId, output_index: outputIndex, content_index: contentIndex };

describe("responses stream encoder: exact sequences", () => {
  it("(a) streams a text answer", () => {
    const events = run([
      start,
      { type: "text-delta", index: 0, text: "Hel" },
      { type: "text-delta", index: 0, text: "lo" },
      { type: "content-block-stop", index: 0 },
      ...done("stop", "end_turn"),
    ]);
    const initial = {
      id: "resp_msg1",
      object: "response",
      created_at: 1700,
      status: "in_progress",
      model: "claude-x",
      output: [],
      usage: null,
    };
    expect(events).toEqual([
      { type: "response.created", sequence_number: 0, response: expect.objectContaining(initial) },
      { type: "response.in_progress", sequence_number: 1, response: expect.objectContaining(initial) },
      {
        type: "response.output_item.added",
        sequence_number: 2,
        output_index: 0,
        item: textItem("", "in_progress"),
      },
      {
        type: "response.content_part.added",
        sequence_number: 3,
        ...at("msg_msg1_0", 0, 0),
        part: textPart(""),
      },
      {
        type: "response.output_text.delta",
        sequence_number: 4,
        ...at("msg_msg1_0", 0, 0),
        delta: "Hel",
        logprobs: [],
      },
      {
        type: "response.output_text.delta",
        sequence_number: 5,
        ...at("msg_msg1_0", 0, 0),
        delta: "lo",
        logprobs: [],
      },
      {
        type: "response.output_text.done",
        sequence_number: 6,
        ...at("msg_msg1_0", 0, 0),
        text: "Hello",
        logprobs: [],
      },
      {
        type: "response.content_part.done",
        sequence_number: 7,
        ...at("msg_msg1_0", 0, 0),
        part: textPart("Hello"),
      },
      {
        type: "response.output_item.done",
        sequence_number: 8,
        output_index: 0,
        item: textItem("Hello", "completed"),
      },
      {
        type: "response.completed",
        sequence_number: 9,
        response: expect.objectContaining({
          id: "resp_msg1",
          status: "completed",
          error: null,
          incomplete_details: null,
          output: [textItem("Hello", "completed")],
          usage: responsesUsage,
        }),
      },
    ]);
  });

  it("(b) streams a tool call with its arguments", () => {
    const events = run([
      start,
      { type: "tool-call-start", index: 0, id: "call_1", name: "weather" },
      { type: "tool-call-delta", index: 0, arguments: '{"city"' },
      { type: "tool-call-delta", index: 0, arguments: ':"Paris"}' },
      { type: "content-block-stop", index: 0 },
      ...done("tool_calls", "tool_use"),
    ]);
    const item = (status: string, args: string) => ({
      id: "fc_msg1_0",
      type: "function_call",
      status,
      arguments: args,
      call_id: "call_1",
      name: "weather",
    });
    expect(events.slice(2)).toEqual([
      {
        type: "response.output_item.added",
        sequence_number: 2,
        output_index: 0,
        item: item("in_progress", ""),
      },
      {
        type: "response.function_call_arguments.delta",
        sequence_number: 3,
        ...at("fc_msg1_0", 0),
        delta: '{"city"',
      },
      {
        type: "response.function_call_arguments.delta",
        sequence_number: 4,
        ...at("fc_msg1_0", 0),
        delta: ':"Paris"}',
      },
      {
        type: "response.function_call_arguments.done",
        sequence_number: 5,
        ...at("fc_msg1_0", 0),
        arguments: '{"city":"Paris"}',
        name: "weather",
      },
      {
        type: "response.output_item.done",
        sequence_number: 6,
        output_index: 0,
        item: item("completed", '{"city":"Paris"}'),
      },
      {
        type: "response.completed",
        sequence_number: 7,
        response: expect.objectContaining({
          output: [item("completed", '{"city":"Paris"}')],
          usage: responsesUsage,
        }),
      },
    ]);
  });

  it("(c) streams text then a tool call: the message is done when the call starts", () => {
    const events = run([
      start,
      { type: "text-delta", index: 0, text: "Checking." },
      { type: "content-block-stop", index: 0 },
      { type: "tool-call-start", index: 1, id: "call_1", name: "weather" },
      { type: "tool-call-delta", index: 1, arguments: "{}" },
      { type: "content-block-stop", index: 1 },
      ...done("tool_calls", "tool_use"),
    ]);
    expect(events.map((event) => [event.sequence_number, event.type, event.output_index])).toEqual([
      [0, "response.created", undefined],
      [1, "response.in_progress", undefined],
      [2, "response.output_item.added", 0],
      [3, "response.content_part.added", 0],
      [4, "response.output_text.delta", 0],
      [5, "response.output_text.done", 0],
      [6, "response.content_part.done", 0],
      [7, "response.output_item.done", 0],
      [8, "response.output_item.added", 1],
      [9, "response.function_call_arguments.delta", 1],
      [10, "response.function_call_arguments.done", 1],
      [11, "response.output_item.done", 1],
      [12, "response.completed", undefined],
    ]);
    expect(events[8]?.item).toMatchObject({ id: "fc_msg1_1", type: "function_call", call_id: "call_1" });
    expect(events[12]?.response.output.map((item: Json) => item.id)).toEqual(["msg_msg1_0", "fc_msg1_1"]);
  });

  it("(d) ends with error and response.failed when an error comes midway, and says nothing after", () => {
    const encoder = createResponsesStreamEncoder();
    const text = [
      start,
      { type: "text-delta", index: 0, text: "Par" },
      { type: "error", error: { status: 429, type: "rate_limit", message: "slow down" } },
      { type: "text-delta", index: 0, text: "is" },
    ]
      .map((event) => encoder.encode(event as CanonicalStreamEvent))
      .join("");
    expect(encoder.end()).toBe("");
    const events = parseSseText(text).map((record) => JSON.parse(record.data) as Json);
    expect(events.slice(5)).toEqual([
      {
        type: "error",
        sequence_number: 5,
        error: { type: "rate_limit_error", code: "rate_limit_exceeded", message: "slow down", param: null },
      },
      {
        type: "response.failed",
        sequence_number: 6,
        response: expect.objectContaining({
          status: "failed",
          error: { code: "rate_limit_exceeded", message: "slow down" },
          output: [],
          usage: null,
        }),
      },
    ]);
    expect(events[4]).toMatchObject({ type: "response.output_text.delta", sequence_number: 4, delta: "Par" });
  });

  it("ends with response.incomplete when the answer hit its token limit", () => {
    const events = run([
      start,
      { type: "text-delta", index: 0, text: "Long" },
      ...done("length", "max_tokens"),
    ]);
    expect(events.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
    // The still-open text block is closed before the end.
    expect(events.slice(-4, -1).map((event) => event.type)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
    ]);
  });

  it("streams signed reasoning as a summary, sealing the signature for the next turn", () => {
    const events = run([
      start,
      { type: "reasoning-delta", index: 0, kind: "text", text: "Think" },
      { type: "reasoning-delta", index: 0, kind: "text", text: "ing." },
      { type: "reasoning-delta", index: 0, kind: "signature", signature: "sig-1" },
      { type: "content-block-stop", index: 0 },
      { type: "reasoning-delta", index: 1, kind: "redacted", data: "opaque-data" },
      { type: "content-block-stop", index: 1 },
      { type: "text-delta", index: 2, text: "Answer." },
      { type: "content-block-stop", index: 2 },
      ...done("stop", "end_turn"),
    ]);
    expect(events.slice(2, 10).map((event) => [event.type, event.output_index, event.summary_index])).toEqual(
      [
        ["response.output_item.added", 0, undefined],
        ["response.reasoning_summary_part.added", 0, 0],
        ["response.reasoning_summary_text.delta", 0, 0],
        ["response.reasoning_summary_text.delta", 0, 0],
        ["response.reasoning_summary_text.done", 0, 0],
        ["response.reasoning_summary_part.done", 0, 0],
        ["response.output_item.done", 0, undefined],
        ["response.output_item.added", 1, undefined],
      ],
    );
    expect(events[2]?.item).toEqual({ id: "rs_msg1_0", type: "reasoning", summary: [] });
    expect(events[6]).toMatchObject({ text: "Thinking.", item_id: "rs_msg1_0" });
    const output = events.at(-1)?.response.output as Json[];
    expect(output.map((item) => item.type)).toEqual(["reasoning", "reasoning", "message"]);
    expect(output[0]?.summary).toEqual([{ type: "summary_text", text: "Thinking." }]);
    expect(output[1]?.summary).toEqual([]);
    const next = responsesToCanonicalRequest({ input: output });
    if (!next.ok) throw new Error(next.error.message);
    expect(next.request.messages).toEqual([
      {
        role: "assistant",
        content: [
          { type: "reasoning", text: "Thinking.", signature: "sig-1" },
          { type: "redacted-reasoning", data: "opaque-data" },
          { type: "text", text: "Answer." },
        ],
      },
    ]);
  });

  it("names namespaced calls as the client knows them and streams {} for a call without arguments", () => {
    const request = {
      model: "qwen3-coder",
      tools: [
        {
          type: "namespace",
          name: "multi_agent_v1",
          description: "",
          tools: [{ type: "function", name: "list" }],
        },
      ],
    };
    const events = run(
      [
        { type: "tool-call-start", index: 0, id: "call_9", name: "multi_agent_v1__list" },
        { type: "content-block-stop", index: 0 },
        ...done("tool_calls", "tool_calls"),
      ],
      { id: "resp_abc", createdAt: 5, request },
    );
    expect(events[0]?.response).toMatchObject({
      id: "resp_abc",
      created_at: 5,
      model: "qwen3-coder",
      tools: request.tools,
    });
    expect(events[2]?.item).toEqual({
      id: "fc_abc_0",
      type: "function_call",
      status: "in_progress",
      arguments: "",
      call_id: "call_9",
      name: "list",
      namespace: "multi_agent_v1",
    });
    expect(events.slice(3, 5)).toMatchObject([
      { type: "response.function_call_arguments.delta", delta: "{}" },
      { type: "response.function_call_arguments.done", arguments: "{}", name: "list" },
    ]);
  });

  it("puts consecutive text and refusal blocks in one message as separate parts", () => {
    const events = run([
      start,
      { type: "text-delta", index: 0, text: "A" },
      { type: "content-block-stop", index: 0 },
      { type: "refusal-delta", index: 1, text: "No." },
      { type: "content-block-stop", index: 1 },
      ...done("stop", "stop"),
    ]);
    expect(events.find((event) => event.type === "response.refusal.delta")).toMatchObject({
      content_index: 1,
      output_index: 0,
      delta: "No.",
    });
    expect(events.at(-1)?.response.output).toEqual([
      {
        id: "msg_msg1_0",
        type: "message",
        status: "completed",
        content: [textPart("A"), { type: "refusal", refusal: "No." }],
        role: "assistant",
      },
    ]);
  });
});

/** What any Responses stream must satisfy, whatever the upstream said. */
function checkConsistent(events: Json[]): void {
  events.forEach((event, index) => {
    expect(event.sequence_number).toBe(index);
  });
  expect(events.slice(0, 2).map((event) => event.type)).toEqual(["response.created", "response.in_progress"]);
  const last = events.at(-1);
  expect(["response.completed", "response.incomplete", "response.failed"]).toContain(last?.type);
  const added = new Map<number, Json>();
  const finished = new Map<number, Json>();
  const texts = new Map<string, string>();
  for (const event of events) {
    if (event.type === "response.output_item.added") {
      expect(added.has(event.output_index)).toBe(false);
      expect(event.output_index).toBe(added.size);
      added.set(event.output_index, event.item);
    } else if (event.type === "response.output_item.done") {
      expect(added.get(event.output_index)?.id).toBe(event.item.id);
      finished.set(event.output_index, event.item);
    } else if (typeof event.delta === "string") {
      expect(added.get(event.output_index)?.id).toBe(event.item_id);
      expect(finished.has(event.output_index)).toBe(false);
      const key = `${event.item_id}/${event.content_index ?? event.summary_index ?? ""}`;
      texts.set(key, (texts.get(key) ?? "") + event.delta);
    } else if (event.type.endsWith(".done") && event.item_id !== undefined) {
      const key = `${event.item_id}/${event.content_index ?? event.summary_index ?? ""}`;
      const whole = event.text ?? event.arguments ?? event.refusal ?? event.part?.text;
      expect(texts.get(key) ?? "").toBe(whole);
    }
  }
  expect(last?.response.output).toEqual(
    [...finished.keys()].sort((a, b) => a - b).map((key) => finished.get(key)),
  );
}

describe("responses stream encoder: recorded upstream streams", () => {
  const openai = (path: string) => decodeAll(createOpenAIStreamDecoder(), readChunks(path));
  const anthropic = (path: string) =>
    decodeAll(createAnthropicStreamDecoder(), readHadrian(path).response.chunks ?? []);
  const recordings: Array<[string, () => CanonicalStreamEvent[]]> = [
    ["openai text", () => openai("vercel-ai/openai/openai-text.chunks.txt")],
    ["deepseek reasoning and tool call", () => openai("vercel-ai/deepseek/deepseek-tool-call.chunks.txt")],
    ["mistral tool call", () => openai("vercel-ai/mistral/mistral-tool-call.chunks.txt")],
    [
      "anthropic tool without arguments",
      () =>
        decodeAll(
          createAnthropicStreamDecoder(),
          readChunks("vercel-ai/anthropic/anthropic-tool-no-args.chunks.txt"),
        ),
    ],
    ["anthropic thinking", () => anthropic("hadrian/anthropic/thinking_streaming.json")],
    ["anthropic tool call", () => anthropic("hadrian/anthropic/tool_call_streaming.json")],
  ];

  it.each(recordings)("%s gives a consistent Responses stream", (_name, decode) => {
    const events = run(decode());
    checkConsistent(events);
    expect(events.at(-1)?.type).toBe("response.completed");
    expect(events.at(-1)?.response.usage.input_tokens).toBeGreaterThan(0);
  });

  it("keeps Anthropic's thinking signature through a recorded stream", () => {
    const events = run(anthropic("hadrian/anthropic/thinking_streaming.json"));
    const output: Json[] = events.at(-1)?.response.output ?? [];
    const reasoning = output.find((item) => item.type === "reasoning");
    expect(reasoning?.encrypted_content).toMatch(/^tollgate\.v1:/);
    const next = responsesToCanonicalRequest({ input: [reasoning] });
    if (!next.ok) throw new Error(next.error.message);
    expect(next.request.messages[0]?.content[0]).toMatchObject({
      type: "reasoning",
      signature: expect.any(String),
    });
  });
});
