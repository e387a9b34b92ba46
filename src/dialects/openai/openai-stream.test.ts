import { describe, expect, it } from "vitest";
import { readCassetteBodies, readChunks, readHadrian } from "../../../test/fixtures-helpers/fixtures.js";
import { decodeAll, decodeSse, summarize } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { createAnthropicStreamDecoder } from "../anthropic/anthropic-stream-decoder.js";
import { createAnthropicStreamEncoder } from "../anthropic/anthropic-stream-encoder.js";
import { parseSseText } from "../sse.js";
import { createOpenAIStreamDecoder } from "./openai-stream-decoder.js";
import { createOpenAIStreamEncoder } from "./openai-stream-encoder.js";

const decode = (payloads: unknown[]) => decodeAll(createOpenAIStreamDecoder(), payloads);
const hadrian = (path: string) => () => readHadrian(path).response.chunks ?? [];
const cassette = (path: string, index: number) => () => readCassetteBodies(path)[index] ?? "";

const chatFixtures: Record<string, () => unknown[]> = {
  "vercel openai text": () => readChunks("vercel-ai/openai/openai-text.chunks.txt"),
  "vercel azure model router": () => readChunks("vercel-ai/openai/azure-model-router.1.chunks.txt"),
  "vercel deepseek tool call": () => readChunks("vercel-ai/deepseek/deepseek-tool-call.chunks.txt"),
  "vercel mistral tool call": () => readChunks("vercel-ai/mistral/mistral-tool-call.chunks.txt"),
  "vercel mistral incremental tool call": () =>
    readChunks("vercel-ai/mistral/mistral-incremental-tool-call.chunks.txt"),
  "hadrian chat": hadrian("hadrian/openai/chat_completion_streaming.json"),
  "hadrian tool call": hadrian("hadrian/openai/tool_call_streaming.json"),
  "hadrian reasoning": hadrian("hadrian/openai/reasoning_streaming.json"),
};

const sseFixtures: Record<string, () => string> = {
  "pydantic openai tool call": cassette("pydantic-ai/openai/test_run_stream_sync_streams_real_model.yaml", 0),
  "pydantic openai text after tool": cassette(
    "pydantic-ai/openai/test_run_stream_sync_streams_real_model.yaml",
    1,
  ),
  "openrouter reasoning": cassette("pydantic-ai/openrouter/test_openrouter_stream_with_reasoning.yaml", 0),
};

describe("openai stream decoder on recorded fixtures", () => {
  it("decodes a text stream and the include_usage chunk", () => {
    const summary = summarize(decode(chatFixtures["vercel openai text"]!()));
    expect(summary.text.length).toBeGreaterThan(500);
    expect(summary.finish).toEqual({ unified: "stop", raw: "stop" });
    expect(summary.usage?.reasoningTokens).toBe(0);
    expect(summary.usage?.outputTokens).toBeGreaterThan(0);
  });

  it("skips Azure's empty first chunk and reads reasoning tokens", () => {
    const summary = summarize(decode(chatFixtures["vercel azure model router"]!()));
    expect(summary.id).toBe("chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt");
    expect(summary.usage).toEqual({
      inputTokens: 15,
      outputTokens: 78,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 64,
    });
  });

  it("decodes DeepSeek reasoning_content and fragmented tool arguments", () => {
    const summary = summarize(decode(chatFixtures["vercel deepseek tool call"]!()));
    expect(summary.reasoning).toMatch(/^The user/);
    expect(summary.toolCalls).toHaveLength(1);
    expect(JSON.parse(summary.toolCalls[0]?.arguments ?? "")).toBeTypeOf("object");
    expect(summary.finish?.unified).toBe("tool_calls");
    expect(summary.usage).toEqual({
      inputTokens: 339,
      outputTokens: 83,
      cacheReadTokens: 320,
      cacheWriteTokens: 0,
      reasoningTokens: 39,
    });
  });

  it("decodes Mistral tool calls without an index, whole or incremental", () => {
    const whole = summarize(decode(chatFixtures["vercel mistral tool call"]!()));
    expect(whole.toolCalls).toEqual([
      { id: "gSIMJiOkT", name: "weather", arguments: '{"location": "San Francisco"}' },
    ]);
    expect(whole.usage?.inputTokens).toBe(124);
    const incremental = summarize(decode(chatFixtures["vercel mistral incremental tool call"]!()));
    expect(incremental.toolCalls).toEqual([
      {
        id: "chatcmpl-tool-9f149c74c42f265b",
        name: "webSearchTool",
        arguments: '{"query": "current Berlin weather"}',
      },
    ]);
    expect(incremental.usage?.cacheReadTokens).toBe(128);
  });

  it("decodes hadrian's streams", () => {
    const chat = summarize(decode(chatFixtures["hadrian chat"]!()));
    expect(chat.text.length).toBeGreaterThan(20);
    expect(chat.usage).toBeUndefined();
    const tool = summarize(decode(chatFixtures["hadrian tool call"]!()));
    expect(tool.toolCalls[0]?.name).toBe("get_weather");
    expect(JSON.parse(tool.toolCalls[0]?.arguments ?? "")).toBeTypeOf("object");
    expect(summarize(decode(chatFixtures["hadrian reasoning"]!())).usage?.reasoningTokens).toBe(192);
  });

  it("decodes wire SSE: a tool call, then text, each with usage and [DONE]", () => {
    const tool = summarize(
      decodeSse(createOpenAIStreamDecoder(), sseFixtures["pydantic openai tool call"]!()),
    );
    expect(tool.toolCalls).toHaveLength(1);
    expect(tool.toolCalls[0]?.name).toBe("get_capital");
    expect(JSON.parse(tool.toolCalls[0]?.arguments ?? "")).toEqual({ country: expect.any(String) });
    expect(tool.usage?.inputTokens).toBeGreaterThan(0);
    const text = summarize(
      decodeSse(createOpenAIStreamDecoder(), sseFixtures["pydantic openai text after tool"]!()),
    );
    expect(text.text).toMatch(/London/);
    expect(text.errors).toEqual([]);
  });

  it("decodes OpenRouter keep-alives, encrypted reasoning_details and usage", () => {
    const summary = summarize(decodeSse(createOpenAIStreamDecoder(), sseFixtures["openrouter reasoning"]!()));
    expect(summary.redacted.length).toBeGreaterThan(0);
    expect(summary.text).toMatch(/ChatGPT/);
    expect(summary.usage).toEqual({
      inputTokens: 9,
      outputTokens: 104,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it("turns OpenRouter's mid-stream error into an error event", () => {
    const body = readCassetteBodies("pydantic-ai/openrouter/test_openrouter_stream_error.yaml")[0] ?? "";
    const summary = summarize(decodeSse(createOpenAIStreamDecoder(), body));
    expect(summary.errors).toEqual(["Token limit reached"]);
  });

  it("decodes legacy completions chunks", () => {
    const vercel = summarize(decode(readChunks("vercel-ai/openai/openai-completion-text.chunks.txt")));
    expect(vercel.text.length).toBeGreaterThan(5);
    expect(vercel.usage?.outputTokens).toBeGreaterThan(0);
    const recorded = summarize(
      decode(readHadrian("hadrian/openai/completion_streaming.json").response.chunks ?? []),
    );
    expect(recorded.finish).toEqual({ unified: "length", raw: "length" });
  });

  it("never throws on bad chunks and reports truncation", () => {
    const decoder = createOpenAIStreamDecoder();
    expect(decoder.pushData("{oops")).toEqual([
      {
        type: "error",
        error: { status: 502, type: "api_error", message: "malformed upstream stream chunk" },
      },
    ]);
    expect(decoder.end()).toEqual([]);
    const truncated = createOpenAIStreamDecoder();
    truncated.push({ id: "x", choices: [{ index: 0, delta: { content: "a" } }] });
    expect(truncated.end()[0]?.type).toBe("error");
  });
});

const encodeOpenAI = (events: CanonicalStreamEvent[], includeUsage = true) => {
  const encoder = createOpenAIStreamEncoder({ includeUsage });
  return events.map((event) => encoder.encode(event)).join("") + encoder.end();
};
const allFixtures: Record<string, () => CanonicalStreamEvent[]> = {
  ...Object.fromEntries(Object.entries(chatFixtures).map(([name, load]) => [name, () => decode(load())])),
  ...Object.fromEntries(
    Object.entries(sseFixtures).map(([name, load]) => [
      name,
      () => decodeSse(createOpenAIStreamDecoder(), load()),
    ]),
  ),
};

describe("openai stream round trips", () => {
  for (const [name, load] of Object.entries(allFixtures)) {
    it(`decode → encode → decode is stable: ${name}`, () => {
      const first = load();
      const second = decodeSse(createOpenAIStreamDecoder(), encodeOpenAI(first));
      expect(second).toEqual(first);
    });

    it(`openai → anthropic SSE keeps text, reasoning, tool calls and usage: ${name}`, () => {
      const original = summarize(load());
      const encoder = createAnthropicStreamEncoder();
      const sse =
        load()
          .map((event) => encoder.encode(event))
          .join("") + encoder.end();
      const translated = summarize(decodeSse(createAnthropicStreamDecoder(), sse));
      expect(translated.text).toBe(original.text);
      expect(translated.reasoning).toBe(original.reasoning);
      expect(translated.toolCalls).toEqual(original.toolCalls);
      expect(translated.finish?.unified).toBe(original.finish?.unified);
      // Without streamed usage the Anthropic client sees zeros rather than nothing.
      const { reasoningTokens, ...core } = original.usage ?? {
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      };
      expect(translated.usage).toMatchObject(core);
    });
  }

  it("writes exact chunks, holds usage for the end, and drops it when not asked for", () => {
    const events: CanonicalStreamEvent[] = [
      { type: "message-start", id: "c1", model: "m", created: 1 },
      { type: "tool-call-start", index: 0, id: "call_1", name: "f" },
      { type: "tool-call-delta", index: 0, arguments: '{"a":' },
      { type: "tool-call-delta", index: 0, arguments: "1}" },
      { type: "content-block-stop", index: 0 },
      { type: "finish", finish: { unified: "tool_calls", raw: "tool_use" } },
      { type: "usage", usage: { inputTokens: 5, outputTokens: 2, cacheReadTokens: 1, cacheWriteTokens: 0 } },
    ];
    const head = (delta: string, finish = "null") =>
      `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${delta},"finish_reason":${finish}}]}\n\n`;
    const expected = [
      head('{"role":"assistant","content":""}'),
      head(
        '{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}',
      ),
      head('{"tool_calls":[{"index":0,"function":{"arguments":"{\\"a\\":"}}]}'),
      head('{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}'),
      head("{}", '"tool_calls"'),
    ].join("");
    expect(encodeOpenAI(events)).toBe(
      `${expected}data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":1}}}\n\ndata: [DONE]\n\n`,
    );
    expect(encodeOpenAI(events, false)).toBe(`${expected}data: [DONE]\n\n`);
  });

  it("carries a thinking signature as reasoning_details and an error as a data error record", () => {
    const encoder = createOpenAIStreamEncoder({ includeUsage: false, id: "c", model: "m", created: 1 });
    const signature = encoder.encode({
      type: "reasoning-delta",
      index: 0,
      kind: "signature",
      signature: "sig",
    });
    expect(parseSseText(signature).map((event) => JSON.parse(event.data).choices[0].delta)).toEqual([
      { reasoning_details: [{ type: "reasoning.text", signature: "sig", index: 0 }] },
    ]);
    const error = encoder.encode({
      type: "error",
      error: { status: 529, type: "overloaded", message: "Overloaded" },
    });
    expect(error).toBe(
      'data: {"error":{"message":"Overloaded","type":"api_error","code":null,"param":null}}\n\n',
    );
    expect(encoder.end()).toBe("");
  });

  it("encodes legacy text_completion chunks", () => {
    const encoder = createOpenAIStreamEncoder({
      includeUsage: false,
      format: "completions",
      id: "cmpl",
      model: "m",
      created: 2,
    });
    const text =
      encoder.encode({ type: "message-start", id: "cmpl", model: "m", created: 2 }) +
      encoder.encode({ type: "text-delta", index: 0, text: "x" }) +
      encoder.end();
    expect(text).toBe(
      'data: {"id":"cmpl","object":"text_completion","created":2,"model":"m","choices":[{"text":"x","index":0,"logprobs":null,"finish_reason":null}]}\n\ndata: [DONE]\n\n',
    );
  });
});
