import { describe, expect, it } from "vitest";
import { readCassetteBodies, readChunks, readHadrian } from "../../../test/fixtures-helpers/fixtures.js";
import { decodeAll, decodeSse, summarize } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { createOpenAIStreamDecoder } from "../openai/openai-stream-decoder.js";
import { createOpenAIStreamEncoder } from "../openai/openai-stream-encoder.js";
import { parseSseText } from "../sse.js";
import { createAnthropicStreamDecoder } from "./anthropic-stream-decoder.js";
import { createAnthropicStreamEncoder } from "./anthropic-stream-encoder.js";

const decode = (payloads: unknown[]) => decodeAll(createAnthropicStreamDecoder(), payloads);
const encodeAnthropic = (events: CanonicalStreamEvent[]) => {
  const encoder = createAnthropicStreamEncoder();
  return events.map((event) => encoder.encode(event)).join("") + encoder.end();
};

const fixtures: Record<string, () => unknown[]> = {
  "vercel text": () => readChunks("vercel-ai/anthropic/anthropic-text.chunks.txt"),
  "vercel json tool": () => readChunks("vercel-ai/anthropic/anthropic-json-tool.1.chunks.txt"),
  "vercel delta input tokens": () =>
    readChunks("vercel-ai/anthropic/anthropic-message-delta-input-tokens.chunks.txt"),
  "vercel tool no args": () => readChunks("vercel-ai/anthropic/anthropic-tool-no-args.chunks.txt"),
  "vercel refusal": () => readChunks("vercel-ai/anthropic/anthropic-refusal.chunks.txt"),
  "hadrian messages": () => readHadrian("hadrian/anthropic/messages_streaming.json").response.chunks ?? [],
  "hadrian tool call": () => readHadrian("hadrian/anthropic/tool_call_streaming.json").response.chunks ?? [],
  "hadrian thinking": () => readHadrian("hadrian/anthropic/thinking_streaming.json").response.chunks ?? [],
  "pydantic thinking": () => {
    const [body] = readCassetteBodies("pydantic-ai/anthropic/test_anthropic_model_thinking_part_stream.yaml");
    return parseSseText(body ?? "").map((event) => JSON.parse(event.data) as unknown);
  },
};

describe("anthropic stream decoder on recorded fixtures", () => {
  it("decodes a text stream with usage from message_start and message_delta", () => {
    const summary = summarize(decode(fixtures["vercel text"]!()));
    expect(summary.text.length).toBeGreaterThan(10);
    expect(summary.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(summary.usage?.outputTokens).toBeGreaterThan(0);
    expect(summary.errors).toEqual([]);
  });

  it("decodes a tool call with its full arguments", () => {
    const summary = summarize(decode(fixtures["vercel json tool"]!()));
    expect(summary.toolCalls).toEqual([
      {
        id: "toolu_01KFbKqPYSuAKujiL6mTfzYA",
        name: "json",
        arguments: '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]}',
      },
    ]);
    expect(summary.finish).toEqual({ unified: "tool_calls", raw: "tool_use" });
    expect(summary.usage).toEqual({
      inputTokens: 849,
      outputTokens: 47,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
    });
  });

  it("takes the final input_tokens from message_delta, not message_start", () => {
    const summary = summarize(decode(fixtures["vercel delta input tokens"]!()));
    expect(summary.usage?.inputTokens).toBe(61);
  });

  it("decodes a tool call with empty input", () => {
    const summary = summarize(decode(fixtures["vercel tool no args"]!()));
    expect(summary.toolCalls).toHaveLength(1);
    expect(summary.toolCalls[0]?.arguments).toBe("");
    expect(summary.text.length).toBeGreaterThan(0);
  });

  it("maps a refusal to content_filter and keeps the raw reason", () => {
    const summary = summarize(decode(fixtures["vercel refusal"]!()));
    expect(summary.finish).toEqual({ unified: "content_filter", raw: "refusal" });
  });

  it("decodes hadrian's tool call with text before it", () => {
    const summary = summarize(decode(fixtures["hadrian tool call"]!()));
    expect(summary.text).not.toBe("");
    expect(summary.toolCalls).toHaveLength(1);
    expect(() => JSON.parse(summary.toolCalls[0]?.arguments ?? "")).not.toThrow();
    expect(summary.usage?.inputTokens).toBe(430);
  });

  it("decodes extended thinking with its signature", () => {
    const summary = summarize(decode(fixtures["hadrian thinking"]!()));
    expect(summary.reasoning.length).toBeGreaterThan(100);
    expect(summary.signatures).toHaveLength(1);
    expect(summary.text.length).toBeGreaterThan(100);
    expect(summary.usage?.outputTokens).toBe(1919);
  });

  it("decodes the padded wire SSE of a thinking stream", () => {
    const summary = summarize(decode(fixtures["pydantic thinking"]!()));
    expect(summary.reasoning).toMatch(/^This is a straightforward question/);
    expect(summary.signatures).toHaveLength(1);
    expect(summary.finish?.unified).toBe("stop");
  });

  it("turns a stream error event and a truncated stream into error events", () => {
    const decoder = createAnthropicStreamDecoder();
    const events = decoder.push({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
    expect(events).toEqual([
      {
        type: "error",
        error: { status: 529, type: "overloaded", code: "overloaded_error", message: "Overloaded" },
      },
    ]);
    const truncated = createAnthropicStreamDecoder();
    truncated.pushData('{"type":"message_start","message":{"id":"m","model":"x"}}');
    expect(truncated.pushData("{not json")[0]?.type).toBe("error");
    expect(createAnthropicStreamDecoder().end()[0]?.type).toBe("error");
  });
});

describe("anthropic stream round trips", () => {
  for (const [name, load] of Object.entries(fixtures)) {
    it(`decode → encode → decode is stable: ${name}`, () => {
      const first = decode(load());
      const sse = encodeAnthropic(first);
      const second = decodeSse(createAnthropicStreamDecoder(), sse);
      expect(second).toEqual(first);
      for (const event of parseSseText(sse)) expect(JSON.parse(event.data).type).toBe(event.event);
    });

    it(`anthropic → openai SSE keeps text, tool calls and usage: ${name}`, () => {
      const original = summarize(decode(load()));
      const encoder = createOpenAIStreamEncoder({ includeUsage: true });
      const sse =
        decode(load())
          .map((event) => encoder.encode(event))
          .join("") + encoder.end();
      expect(sse.endsWith("data: [DONE]\n\n")).toBe(true);
      const translated = summarize(decodeSse(createOpenAIStreamDecoder(), sse));
      expect(translated.text).toBe(original.text);
      expect(translated.reasoning).toBe(original.reasoning);
      expect(translated.signatures).toEqual(original.signatures);
      expect(translated.toolCalls).toEqual(original.toolCalls);
      // OpenAI has no field for Anthropic's 5m/1h cache-write split; the totals survive.
      const { cacheWrite5mTokens, cacheWrite1hTokens, ...core } = original.usage ?? {};
      expect(translated.usage).toEqual(core);
      expect(translated.finish?.unified).toBe(original.finish?.unified);
      expect(translated.errors).toEqual([]);
    });
  }

  it("writes the exact Anthropic SSE framing", () => {
    const encoder = createAnthropicStreamEncoder();
    const text = [
      encoder.encode({ type: "message-start", id: "msg_1", model: "m" }),
      encoder.encode({ type: "text-delta", index: 0, text: "Hi" }),
      encoder.encode({ type: "tool-call-start", index: 1, id: "t1", name: "f" }),
      encoder.encode({ type: "tool-call-delta", index: 1, arguments: "{}" }),
      encoder.encode({ type: "finish", finish: { unified: "tool_calls", raw: "tool_calls" } }),
      encoder.end(),
    ].join("");
    expect(text).toBe(
      [
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{}}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join(""),
    );
  });

  it("ends with an error event after a mid-stream error", () => {
    const encoder = createAnthropicStreamEncoder();
    encoder.encode({ type: "message-start", id: "m", model: "x" });
    const text = encoder.encode({
      type: "error",
      error: { status: 529, type: "overloaded", message: "Overloaded" },
    });
    expect(text).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
    expect(encoder.end()).toBe("");
  });
});
