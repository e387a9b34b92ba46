/**
 * Every recorded Gemini answer (test/fixtures/recorded: vercel-ai/google, hadrian/vertex, pydantic-ai/google)
 * through the decoders, and the two-turn tool round trip pydantic-ai recorded against the real API.
 */
import { describe, expect, it } from "vitest";
import {
  readChunks,
  readFixtureJson,
  readFixtureText,
  readHadrian,
} from "../../../test/fixtures-helpers/fixtures.js";
import { decodeAll, decodeSse, summarize } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalMessage } from "../../canonical/content.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import type { CanonicalResponse } from "../../canonical/response.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { createAnthropicStreamDecoder } from "../anthropic/anthropic-stream-decoder.js";
import { createAnthropicStreamEncoder } from "../anthropic/anthropic-stream-encoder.js";
import { createOpenAIStreamDecoder } from "../openai/openai-stream-decoder.js";
import { createOpenAIStreamEncoder } from "../openai/openai-stream-encoder.js";
import { parseSseText } from "../sse.js";
import { geminiRetryAfterSeconds } from "./gemini-errors.js";
import { canonicalToGeminiRequest } from "./gemini-request-build.js";
import { foldGeminiEvents, geminiResponseToCanonical } from "./gemini-response.js";
import { createGeminiStreamDecoder } from "./gemini-stream-decoder.js";

const escapes: Record<string, string> = {
  "0": "\0",
  t: "\t",
  n: "\n",
  r: "\r",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

/**
 * One YAML double-quoted scalar (the text between its quotes) → its value: lines are folded (a line break
 * between text is a space, an empty line a newline, indentation dropped), then escapes are read.
 */
function yamlDoubleQuoted(raw: string): string {
  const lines = raw.split("\n");
  let folded = "";
  lines.forEach((line, index) => {
    const text = (index === 0 ? line : line.trimStart()).trimEnd();
    if (index === 0) folded = text;
    else if (text === "") folded += "\n";
    else folded += folded.endsWith("\n") || folded === "" ? text : ` ${text}`;
  });
  return folded.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, code: string) => {
    if (code.length > 1) return String.fromCodePoint(Number.parseInt(code.slice(1), 16));
    const value = escapes[code];
    if (value === undefined) throw new Error(`unsupported YAML escape \\${code}`);
    return value;
  });
}

/**
 * pydantic-ai's Gemini cassettes hold their SSE bodies as double-quoted YAML scalars, which the shared loader
 * (block literals only) skips: the bodies, in interaction order.
 */
function quotedCassetteBodies(relative: string): string[] {
  const text = readFixtureText(relative);
  const bodies: string[] = [];
  const start = /^\s*string: "/gm;
  for (let match = start.exec(text); match; match = start.exec(text)) {
    let end = start.lastIndex;
    while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
    bodies.push(yamlDoubleQuoted(text.slice(start.lastIndex, end)));
    start.lastIndex = end + 1;
  }
  return bodies;
}

const pydanticText = "pydantic-ai/google/test_google_model_stream.yaml";
const pydanticToolCall = "pydantic-ai/google/test_google_streaming_tool_call_thought_signature.yaml";
const cassette = (path: string, interaction: number) => () =>
  parseSseText(quotedCassetteBodies(path)[interaction] ?? "").map(
    (event) => JSON.parse(event.data) as unknown,
  );

const streams: Record<string, () => unknown[]> = {
  "vercel text": () => readChunks("vercel-ai/google/google-text.chunks.txt"),
  "vercel reasoning": () => readChunks("vercel-ai/google/google-reasoning.chunks.txt"),
  "vercel tool call gemini 3": () => readChunks("vercel-ai/google/google-tool-call-gemini3.chunks.txt"),
  "vercel streamed arguments": () =>
    readChunks("vercel-ai/google/google-stream-tool-call-arguments.chunks.txt"),
  "hadrian vertex text": () =>
    readHadrian("hadrian/vertex/generate_content_streaming.json").response.chunks ?? [],
  "hadrian vertex tool call": () =>
    readHadrian("hadrian/vertex/tool_call_streaming.json").response.chunks ?? [],
  "pydantic text": cassette(pydanticText, 0),
  "pydantic signed tool call": cassette(pydanticToolCall, 0),
  "pydantic answer after the tool": cassette(pydanticToolCall, 1),
};

const decode = (payloads: unknown[]) => decodeAll(createGeminiStreamDecoder(), payloads);

function response(events: CanonicalStreamEvent[]): CanonicalResponse {
  const result = foldGeminiEvents(events);
  if (!result.ok) throw new Error(result.error.message);
  return result.response;
}

/** The `thoughtSignature` of the record's first part that has one. */
function recordedSignature(records: unknown[]): string | undefined {
  const text = JSON.stringify(records);
  return /"thoughtSignature":"([^"]+)"/.exec(text)?.[1];
}

describe("the YAML reader for pydantic-ai's Gemini cassettes", () => {
  it("folds lines and reads escapes", () => {
    expect(yamlDoubleQuoted('data: {\\"a\\":\n        1}\\r\\n\\r\\n')).toBe('data: {"a": 1}\r\n\r\n');
    expect(yamlDoubleQuoted("one\n\n  two \\u00e9")).toBe("one\ntwo é");
  });

  it("finds every SSE body of a cassette", () => {
    expect(quotedCassetteBodies(pydanticText)).toHaveLength(1);
    expect(quotedCassetteBodies(pydanticToolCall)).toHaveLength(2);
    for (const body of quotedCassetteBodies(pydanticToolCall)) expect(body).toMatch(/\r\n\r\n$/);
  });
});

describe("gemini stream decoder on recorded streams", () => {
  for (const [name, load] of Object.entries(streams)) {
    it(`decodes with one message-start, closed blocks, usage and a finish: ${name}`, () => {
      const events = decode(load());
      expect(events[0]?.type).toBe("message-start");
      expect(events.filter((event) => event.type === "message-start")).toHaveLength(1);
      expect(events.at(-1)?.type).toBe("finish");
      const opened = new Set<number>();
      const closed = new Set<number>();
      for (const event of events) {
        if ("index" in event) (event.type === "content-block-stop" ? closed : opened).add(event.index);
      }
      expect(closed).toEqual(opened);
      const summary = summarize(events);
      expect(summary.errors).toEqual([]);
      expect(summary.usage?.inputTokens).toBeGreaterThan(0);
      expect(summary.usage?.outputTokens).toBeGreaterThan(0);
    });

    it(`gives the same events from the CRLF-framed wire text: ${name}`, () => {
      const records = load();
      const wire = records.map((record) => `data: ${JSON.stringify(record)}\r\n\r\n`).join("");
      expect(decodeSse(createGeminiStreamDecoder(), wire)).toEqual(decode(records));
    });
  }

  it("decodes Gemini 3 text, its trailing signature and thought tokens (vercel text)", () => {
    const records = streams["vercel text"]!();
    const result = response(decode(records));
    expect(result).toMatchObject({ id: "bH6LaZW8Fp_3nsEPqtaSwQ4", model: "gemini-3-pro-preview" });
    expect(result.content).toEqual([
      {
        type: "text",
        text: 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y',
        signature: recordedSignature(records),
      },
    ]);
    // 9 + 23 + 185 = 217 = totalTokenCount: thoughts are outside candidatesTokenCount.
    expect(result.usage).toEqual({
      inputTokens: 9,
      outputTokens: 208,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 185,
    });
    expect(result.finish).toEqual({ unified: "stop", raw: "STOP" });
  });

  it("takes the last usage of a reasoning stream (vercel reasoning)", () => {
    const events = decode(streams["vercel reasoning"]!());
    expect(events.filter((event) => event.type === "usage")).toHaveLength(2);
    expect(summarize(events).usage).toMatchObject({
      inputTokens: 9,
      outputTokens: 285,
      reasoningTokens: 256,
    });
    expect(response(events).content[0]).toMatchObject({ type: "text", signature: expect.any(String) });
  });

  it("keeps a Gemini 3 call's signature on its tool-call-start and calls it tool_calls (vercel tool call)", () => {
    const records = streams["vercel tool call gemini 3"]!();
    const events = decode(records);
    const start = events.find((event) => event.type === "tool-call-start");
    expect(start).toEqual({
      type: "tool-call-start",
      index: 0,
      id: expect.stringMatching(/^call_0_[0-9a-f]{12}$/),
      name: "weather",
      signature: recordedSignature(records),
    });
    expect(summarize(events).toolCalls).toEqual([
      {
        id: start?.type === "tool-call-start" ? start.id : "",
        name: "weather",
        arguments: '{"location":"San Francisco"}',
      },
    ]);
    expect(summarize(events).finish).toEqual({ unified: "tool_calls", raw: "STOP" });
    expect(summarize(events).usage).toMatchObject({
      inputTokens: 29,
      outputTokens: 819,
      reasoningTokens: 804,
    });
  });

  it("assembles Vertex's streamed arguments (partialArgs) into two whole calls", () => {
    const events = decode(streams["vercel streamed arguments"]!());
    const calls = summarize(events).toolCalls;
    expect(calls.map(({ name, arguments: args }) => ({ name, args }))).toEqual([
      { name: "getWeather", args: '{"location":"Boston"}' },
      { name: "getWeather", args: '{"location":"San Francisco"}' },
    ]);
    expect(calls[0]?.id).not.toBe(calls[1]?.id);
    // Only the first call of the parallel batch is signed; Vertex's createTime becomes `created`.
    const starts = events.filter((event) => event.type === "tool-call-start");
    expect(starts.map((event) => event.signature !== undefined)).toEqual([true, false]);
    expect(events[0]).toMatchObject({
      type: "message-start",
      created: Date.parse("2026-04-02T17:03:50Z") / 1000,
    });
    expect(summarize(events).usage).toMatchObject({
      inputTokens: 26,
      outputTokens: 155,
      reasoningTokens: 132,
    });
  });

  it("decodes Vertex text and a single-chunk call (hadrian)", () => {
    const text = summarize(decode(streams["hadrian vertex text"]!()));
    expect(text.text).toBe(`${Array.from({ length: 20 }, (_, index) => index + 1).join("\n")}\n`);
    expect(text.usage).toEqual({
      inputTokens: 19,
      outputTokens: 51,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    const call = summarize(decode(streams["hadrian vertex tool call"]!()));
    expect(call.toolCalls).toMatchObject([
      { name: "get_weather", arguments: '{"location":"San Francisco, USA"}' },
    ]);
    expect(call.finish?.unified).toBe("tool_calls");
  });

  it("decodes the raw wire SSE of pydantic-ai's cassettes", () => {
    const text = summarize(decode(streams["pydantic text"]!()));
    expect(text.text).toBe("The capital of France is Paris.\n");
    // The last record restates the prompt as 13 tokens (15 before): the last usage wins.
    expect(text.usage).toMatchObject({ inputTokens: 13, outputTokens: 8 });
    const call = decode(streams["pydantic signed tool call"]!());
    expect(summarize(call).toolCalls).toMatchObject([{ name: "get_country", arguments: "{}" }]);
    const answer = summarize(decode(streams["pydantic answer after the tool"]!()));
    expect(answer.text).toBe("The capital of Mexico is Mexico City.");
    expect(answer.usage?.inputTokens).toBe(257);
  });

  it("gives every call of a response a different id, and the same ids on every decoding", () => {
    const first = summarize(decode(streams["vercel streamed arguments"]!())).toolCalls.map((call) => call.id);
    const again = summarize(decode(streams["vercel streamed arguments"]!())).toolCalls.map((call) => call.id);
    const other = summarize(decode(streams["hadrian vertex tool call"]!())).toolCalls.map((call) => call.id);
    expect(again).toEqual(first);
    expect(new Set([...first, ...other]).size).toBe(3);
  });
});

describe("gemini streams translated for other clients", () => {
  for (const [name, load] of Object.entries(streams)) {
    it(`keeps text, tool calls, usage and the finish through Anthropic and OpenAI SSE: ${name}`, () => {
      const events = decode(load());
      const original = summarize(events);
      const anthropic = createAnthropicStreamEncoder();
      const anthropicSse = events.map((event) => anthropic.encode(event)).join("") + anthropic.end();
      const openai = createOpenAIStreamEncoder({ includeUsage: true });
      const openaiSse = events.map((event) => openai.encode(event)).join("") + openai.end();
      for (const translated of [
        summarize(decodeSse(createAnthropicStreamDecoder(), anthropicSse)),
        summarize(decodeSse(createOpenAIStreamDecoder(), openaiSse)),
      ]) {
        expect(translated.text).toBe(original.text);
        expect(translated.toolCalls).toEqual(original.toolCalls);
        expect(translated.usage).toEqual(original.usage);
        expect(translated.finish?.unified).toBe(original.finish?.unified);
        expect(translated.errors).toEqual([]);
      }
    });
  }
});

describe("gemini non-streamed responses", () => {
  it("reads a text answer with its signature (vercel google-text.json)", () => {
    const body = readFixtureJson("vercel-ai/google/google-text.json");
    expect(geminiResponseToCanonical(body)).toEqual({
      ok: true,
      response: {
        id: "Un6LacrVMcjUxs0PmJfWoQc",
        model: "gemini-3-pro-preview",
        content: [
          {
            type: "text",
            text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
            signature: recordedSignature([body]),
          },
        ],
        finish: { unified: "stop", raw: "STOP" },
        usage: {
          inputTokens: 9,
          outputTokens: 272,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 244,
        },
      },
    });
  });

  it("reads a signed function call with a generated id (vercel google-tool-call.json)", () => {
    const body = readFixtureJson("vercel-ai/google/google-tool-call.json");
    const result = geminiResponseToCanonical(body);
    expect(result.ok && result.response.content).toEqual([
      {
        type: "tool-call",
        id: expect.stringMatching(/^call_0_[0-9a-f]{12}$/),
        name: "weather",
        arguments: '{"location":"San Francisco"}',
        signature: recordedSignature([body]),
      },
    ]);
    expect(result.ok && result.response.finish).toEqual({ unified: "tool_calls", raw: "STOP" });
    expect(result.ok && result.response.usage.outputTokens).toBe(15 + 893);
  });

  it("gives the same response as the stream it would have been (hadrian's one-record stream)", () => {
    const records = streams["hadrian vertex tool call"]!();
    expect(records).toHaveLength(1);
    expect(geminiResponseToCanonical(records[0])).toEqual(foldGeminiEvents(decode(records)));
  });

  it("reads the recorded 429 as an error, with its retry delay (vercel google-429-retry-info.json)", () => {
    const body = readFixtureJson("vercel-ai/google/google-429-retry-info.json");
    expect(geminiResponseToCanonical(body, 429)).toEqual({
      ok: false,
      error: {
        status: 429,
        type: "rate_limit",
        code: "RESOURCE_EXHAUSTED",
        message: "You exceeded your current quota, please check your plan.",
      },
    });
    expect(geminiRetryAfterSeconds(body)).toBe(35);
  });
});

function request(messages: CanonicalMessage[]): CanonicalRequest {
  return {
    model: undefined,
    system: [],
    messages,
    stream: true,
    includeUsage: true,
    tools: [
      {
        type: "function",
        name: "get_country",
        description: "",
        inputSchema: { type: "object", properties: {} },
      },
    ],
    extra: {},
  };
}

describe("a two-turn tool round trip", () => {
  it("sends back the call with its signature and the result under the same name, as pydantic-ai did", () => {
    const question: CanonicalMessage = {
      role: "user",
      content: [{ type: "text", text: "What is the capital of the user country? Call the tool" }],
    };
    const answer = response(decode(streams["pydantic signed tool call"]!()));
    const call = answer.content[0];
    if (call?.type !== "tool-call") throw new Error("expected a tool call");
    const built = canonicalToGeminiRequest(
      request([
        question,
        { role: "assistant", content: answer.content },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: call.id, content: '{"return_value":"Mexico"}' }],
        },
      ]),
      { model: "gemini-3-pro-preview" },
    );
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.warnings).toEqual([]);
    expect(built.body.contents).toEqual([
      { role: "user", parts: [{ text: "What is the capital of the user country? Call the tool" }] },
      {
        role: "model",
        parts: [{ functionCall: { name: "get_country", args: {} }, thoughtSignature: call.signature }],
      },
      {
        role: "user",
        parts: [{ functionResponse: { name: "get_country", response: { return_value: "Mexico" } } }],
      },
    ]);
    // The second request of the cassette echoed the same signature (written in base64url by its client).
    const sent = /^\s*thoughtSignature: (\S+)$/m.exec(readFixtureText(pydanticToolCall))?.[1] ?? "";
    const standard = (value: string) => value.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
    expect(standard(sent)).toBe(standard(call.signature ?? ""));
  });

  it("maps a second turn's results by id to the right call when calls repeat (vercel streamed arguments)", () => {
    const first = response(decode(streams["vercel streamed arguments"]!()));
    const second = response(decode(streams["hadrian vertex tool call"]!()));
    const ids = [...first.content, ...second.content].flatMap((part) =>
      part.type === "tool-call" ? [part.id] : [],
    );
    const results = (toolCallIds: string[], texts: string[]): CanonicalMessage => ({
      role: "tool",
      content: toolCallIds.map((toolCallId, index) => ({
        type: "tool-result",
        toolCallId,
        content: texts[index] ?? "",
      })),
    });
    const built = canonicalToGeminiRequest(
      request([
        { role: "user", content: [{ type: "text", text: "Weather in Boston and San Francisco?" }] },
        { role: "assistant", content: first.content },
        results(ids.slice(0, 2), ["Cold", "Foggy"]),
        { role: "assistant", content: second.content },
        results(ids.slice(2), ['{"temperature": 15}']),
      ]),
      { model: "gemini-3.1-pro-preview" },
    );
    if (!built.ok) throw new Error(built.error.message);
    const contents = built.body.contents as Array<{ role: string; parts: unknown[] }>;
    expect(contents.map((content) => content.role)).toEqual(["user", "model", "user", "model", "user"]);
    expect(contents[1]?.parts).toEqual([
      {
        functionCall: { name: "getWeather", args: { location: "Boston" } },
        thoughtSignature: expect.any(String),
      },
      { functionCall: { name: "getWeather", args: { location: "San Francisco" } } },
    ]);
    expect(contents[2]?.parts).toEqual([
      { functionResponse: { name: "getWeather", response: { output: "Cold" } } },
      { functionResponse: { name: "getWeather", response: { output: "Foggy" } } },
    ]);
    // Gemini 2.0 did not sign its call; a Gemini 3 upstream is given Google's stand-in, with a warning.
    expect(contents[3]?.parts).toEqual([
      {
        functionCall: { name: "get_weather", args: { location: "San Francisco, USA" } },
        thoughtSignature: "skip_thought_signature_validator",
      },
    ]);
    expect(contents[4]?.parts).toEqual([
      { functionResponse: { name: "get_weather", response: { temperature: 15 } } },
    ]);
    expect(built.warnings).toEqual([
      { field: "messages[3].content", message: expect.stringContaining("skip_thought_signature_validator") },
    ]);
  });
});
