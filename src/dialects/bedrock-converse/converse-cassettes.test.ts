/**
 * pydantic-ai's recorded Bedrock traffic (test/fixtures/recorded/pydantic-ai/bedrock): the Converse requests
 * rebuilt from canonical, the JSON answers and errors read, the binary event streams decoded frame by frame.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { describe, expect, it } from "vitest";
import { readFixtureText } from "../../../test/fixtures-helpers/fixtures.js";
import { summarize } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { type ConverseSettings, canonicalToConverseRequest } from "./converse-request-build.js";
import { converseResponseToCanonical } from "./converse-response.js";
import { createConverseStreamDecoder } from "./converse-stream-decoder.js";

/**
 * The YAML subset VCR cassettes use: block mappings and sequences (a mapping's sequence at the key's indent),
 * plain, quoted and multi-line scalars folded with spaces, `{}`, and `!!binary |` blocks (as bytes).
 */
function parseYaml(text: string): unknown {
  const lines = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }));
  let at = 0;
  const scalar = (raw: string): unknown => {
    if (raw.startsWith("'")) return raw.slice(1, -1).replaceAll("''", "'");
    if (raw.startsWith('"')) return JSON.parse(raw);
    if (raw === "{}") return {};
    if (raw === "[]") return [];
    if (raw === "null") return null;
    if (raw === "true" || raw === "false") return raw === "true";
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  };
  const deeper = (indent: number): string[] => {
    const taken: string[] = [];
    while (at < lines.length && (lines[at]?.indent ?? 0) > indent) taken.push(lines[at++]?.text ?? "");
    return taken;
  };
  const value = (rest: string, indent: number): unknown => {
    if (rest.startsWith("!!binary")) return Buffer.from(deeper(indent).join(""), "base64");
    if (rest.startsWith("|")) return `${deeper(indent).join("\n")}\n`;
    if (rest !== "") return scalar([rest, ...deeper(indent)].join(" "));
    const next = lines[at];
    if (next && (next.indent > indent || (next.indent === indent && next.text.startsWith("- "))))
      return node(next.indent);
    return null;
  };
  const node = (indent: number): unknown => {
    if (lines[at]?.text.startsWith("- ")) {
      const items: unknown[] = [];
      while (lines[at]?.indent === indent && lines[at]?.text.startsWith("- ")) {
        const rest = lines[at]?.text.slice(2) ?? "";
        if (/^[\w-]+:( |$)/.test(rest)) {
          // `- key: value` opens a mapping whose keys sit two columns in.
          lines[at] = { indent: indent + 2, text: rest };
          items.push(node(indent + 2));
        } else {
          at++;
          items.push(value(rest, indent));
        }
      }
      return items;
    }
    const map: JsonObject = {};
    while (lines[at]?.indent === indent && !lines[at]?.text.startsWith("- ")) {
      const line = lines[at++]?.text ?? "";
      const colon = line.indexOf(":");
      map[line.slice(0, colon)] = value(line.slice(colon + 1).trim(), indent);
    }
    return map;
  };
  return node(0);
}

interface Interaction {
  request: { body: string; uri: string };
  response: { status: { code: number }; parsed_body?: unknown; body?: { string: unknown } };
}

function interactions(name: string): Interaction[] {
  const cassette = parseYaml(readFixtureText(`pydantic-ai/bedrock/${name}`));
  if (!isObject(cassette) || !Array.isArray(cassette.interactions))
    throw new Error(`${name}: no interactions`);
  return cassette.interactions as Interaction[];
}

/** The request as recorded, without the empty `system` and `inferenceConfig` pydantic-ai always sends. */
function recordedRequest(interaction: Interaction): JsonObject {
  const body = JSON.parse(interaction.request.body) as JsonObject;
  if (Array.isArray(body.system) && body.system.length === 0) delete body.system;
  if (isObject(body.inferenceConfig) && Object.keys(body.inferenceConfig).length === 0)
    delete body.inferenceConfig;
  return body;
}

function built(request: Partial<CanonicalRequest>, settings: ConverseSettings = {}) {
  const result = canonicalToConverseRequest(
    { model: undefined, system: [], messages: [], stream: false, includeUsage: false, extra: {}, ...request },
    settings,
  );
  if (!result.ok) throw new Error(result.error.message);
  return result;
}

/** The frames of a recorded event stream, handed to the decoder as the relay will: type beside payload. */
function decodeEventStream(bytes: unknown): CanonicalStreamEvent[] {
  if (!(bytes instanceof Uint8Array)) throw new Error("expected a binary body");
  const codec = new EventStreamCodec(
    (input) => new TextDecoder().decode(input),
    (input) => new TextEncoder().encode(input),
  );
  const decoder = createConverseStreamDecoder();
  const events: CanonicalStreamEvent[] = [];
  // Each frame starts with its total length (wire-formats §6.7); the codec checks both CRCs.
  for (let offset = 0; offset < bytes.length; ) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0);
    const message = codec.decode(bytes.subarray(offset, offset + length));
    offset += length;
    const header = (name: string) => String(message.headers[name]?.value ?? "");
    const type = header(":message-type") === "exception" ? header(":exception-type") : header(":event-type");
    events.push(...(decoder.pushEvent?.(type, new TextDecoder().decode(message.body)) ?? []));
  }
  return [...events, ...decoder.end()];
}

describe("recorded Converse requests, rebuilt from canonical", () => {
  it("latency-optimized Nova (performance_config)", () => {
    const [interaction] = interactions("test_bedrock_model_performance_config.yaml");
    const result = built(
      {
        system: [{ type: "text", text: "You are a helpful chatbot." }],
        messages: [{ role: "user", content: [{ type: "text", text: "What is the capital of France?" }] }],
      },
      { latencyOptimized: true },
    );
    expect(result.body).toEqual(recordedRequest(interaction!));
    expect(result.warnings).toEqual([]);
  });

  it("Claude with a thinking budget (thinking_part_stream)", () => {
    const [interaction] = interactions("test_bedrock_model_thinking_part_stream.yaml");
    const result = built(
      {
        messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
        reasoning: { budgetTokens: 1024 },
      },
      { modelFamily: "anthropic" },
    );
    expect(result.body).toEqual(recordedRequest(interaction!));
  });

  it("Nova with tools, then the tool result (iter_stream)", () => {
    const [first, second] = interactions("test_bedrock_model_iter_stream.yaml");
    const tools: CanonicalRequest["tools"] = [
      {
        type: "function",
        name: "get_capital",
        description: "Get the capital of a country.",
        inputSchema: {
          properties: { country: { description: "The country name.", title: "Country", type: "string" } },
          required: ["country"],
          type: "object",
          additionalProperties: false,
        },
      },
      {
        type: "function",
        name: "get_temperature",
        description: "Get the temperature in a city.",
        inputSchema: {
          properties: { city: { description: "The city name.", title: "City", type: "string" } },
          required: ["city"],
          type: "object",
          additionalProperties: false,
        },
      },
    ];
    const question = {
      role: "user" as const,
      content: [{ type: "text" as const, text: "What is the temperature of the capital of France?" }],
    };
    const common = {
      system: [{ type: "text" as const, text: "You are a helpful chatbot." }],
      topP: 0.5,
      tools,
    };
    expect(built({ ...common, messages: [question] }).body).toEqual(recordedRequest(first!));

    const afterTool = built(
      {
        ...common,
        messages: [
          question,
          {
            role: "assistant",
            content: [
              {
                type: "text",
                text: '<thinking> To find the temperature of the capital of France, I need to first determine the capital of France and then get the current temperature in that city. The capital of France is Paris. I will use the "get_temperature" tool to find the current temperature in Paris.</thinking>\n',
              },
              {
                type: "tool-call",
                id: "tooluse_lAG_zP8QRHmSYOwZzzaCqA",
                name: "get_temperature",
                arguments: '{"city":"Paris"}',
              },
            ],
          },
          {
            role: "tool",
            content: [
              {
                type: "tool-result",
                toolCallId: "tooluse_lAG_zP8QRHmSYOwZzzaCqA",
                content: "30°C",
                isError: false,
              },
            ],
          },
        ],
      },
      // Nova takes the result status too; as "other" it is left out, which Converse allows.
      { modelFamily: "anthropic" },
    );
    expect(afterTool.body).toEqual(recordedRequest(second!));
  });

  it("Claude with cache points in system, messages and tools (cache_write_and_read)", () => {
    const [interaction] = interactions("test_bedrock_cache_write_and_read.yaml");
    const recorded = recordedRequest(interaction!);
    const message = (recorded.messages as Array<{ content: JsonObject[] }>)[0]!;
    const text = (index: number) => String(message.content[index]?.text);
    const system = String((recorded.system as JsonObject[])[0]?.text);
    const cached = { type: "ephemeral" as const };
    const noArguments = { additionalProperties: false, properties: {}, type: "object" };
    const result = built(
      {
        system: [{ type: "text", text: system, cacheControl: cached }],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: text(0) },
              { type: "opaque", dialect: "anthropic", value: { type: "document" } },
              { type: "text", text: text(2), cacheControl: cached },
              { type: "text", text: text(4), cacheControl: cached },
            ],
          },
        ],
        tools: [
          { type: "function", name: "catalog_lookup", inputSchema: noArguments },
          { type: "function", name: "diagnostics", inputSchema: noArguments, cacheControl: cached },
        ],
        toolChoice: { type: "auto" },
      },
      { modelFamily: "anthropic" },
    );
    // The document block has no canonical form: everything else is the recorded request.
    message.content.splice(1, 1);
    expect(result.body).toEqual(recorded);
    expect(result.warnings.map((warning) => warning.field)).toEqual(["messages[0].content[1]"]);
  });
});

describe("recorded Converse answers and errors", () => {
  it("reads the latency-optimized answer", () => {
    const [interaction] = interactions("test_bedrock_model_performance_config.yaml");
    const result = converseResponseToCanonical(
      interaction!.response.parsed_body,
      interaction!.response.status.code,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.response.content).toHaveLength(1);
    expect(result.response.content[0]).toMatchObject({ type: "text" });
    expect(result.response.content[0]?.type === "text" && result.response.content[0].text).toMatch(
      /^The capital of France is Paris\. It is one of the most visited cities in the world .* science, and arts\.$/,
    );
    expect(result.response.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(result.response.usage).toEqual({
      inputTokens: 13,
      outputTokens: 67,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it("reads a cache write, then a cache read of the same 1322 tokens", () => {
    const [write, read] = interactions("test_bedrock_cache_write_and_read.yaml").map((interaction) => {
      const result = converseResponseToCanonical(
        interaction.response.parsed_body,
        interaction.response.status.code,
      );
      if (!result.ok) throw new Error(result.error.message);
      return result.response;
    });
    expect(write?.content).toEqual([{ type: "text", text: "21" }]);
    expect(write?.usage).toEqual({
      inputTokens: 1324,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 1322,
    });
    expect(read?.usage).toEqual({
      inputTokens: 1324,
      outputTokens: 5,
      cacheReadTokens: 1322,
      cacheWriteTokens: 0,
    });
  });

  it("reads five throttled answers as rate limits", () => {
    const recorded = interactions("test_bedrock_throttling_error.yaml");
    expect(recorded).toHaveLength(5);
    for (const interaction of recorded) {
      expect(
        converseResponseToCanonical(interaction.response.parsed_body, interaction.response.status.code),
      ).toEqual({
        ok: false,
        error: { status: 429, type: "rate_limit", code: "ThrottlingException", message: "Rate exceeded" },
      });
    }
  });

  it("reads the refused converse-stream call (unknown model)", () => {
    const [interaction] = interactions("test_bedrock_streaming_error.yaml");
    expect(
      converseResponseToCanonical(interaction!.response.parsed_body, interaction!.response.status.code),
    ).toEqual({
      ok: false,
      error: { status: 400, type: "invalid_request", message: "The provided model identifier is invalid." },
    });
  });
});

describe("recorded ConverseStream event streams, frame by frame", () => {
  it("Nova text (model_stream)", () => {
    const [interaction] = interactions("test_bedrock_model_stream.yaml");
    const summary = summarize(decodeEventStream(interaction!.response.body?.string));
    expect(summary.text).toMatch(
      /^The capital of France is Paris\. Paris is not only .* "The City of Love\."$/,
    );
    expect(summary.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(summary.usage).toEqual({
      inputTokens: 13,
      outputTokens: 82,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(summary.errors).toEqual([]);
  });

  it("Claude thinking: reasoning with its signature, then text (thinking_part_stream)", () => {
    const [interaction] = interactions("test_bedrock_model_thinking_part_stream.yaml");
    const events = decodeEventStream(interaction!.response.body?.string);
    const summary = summarize(events);
    expect(summary.reasoning).toBe(
      'The user has greeted me with a simple "Hello". I should respond in a friendly and welcoming manner. This is a straightforward greeting, so I\'ll respond warmly and ask how I can help them today.',
    );
    expect(summary.signatures).toHaveLength(1);
    expect(summary.signatures[0]).toMatch(/^Eu0CCkgIBxAB.*EYAQ==$/);
    expect(summary.text).toBe("Hello! It's nice to meet you. How can I help you today?");
    expect(summary.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(summary.usage).toEqual({
      inputTokens: 36,
      outputTokens: 73,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    const firstText = events.findIndex((event) => event.type === "text-delta");
    const lastReasoning = events.findLastIndex((event) => event.type === "reasoning-delta");
    expect(lastReasoning).toBeLessThan(firstText);
  });

  it("Nova text then a tool call, then the answer after the result (iter_stream)", () => {
    const [first, second] = interactions("test_bedrock_model_iter_stream.yaml");
    const call = summarize(decodeEventStream(first!.response.body?.string));
    expect(call.toolCalls).toEqual([
      { id: "tooluse_lAG_zP8QRHmSYOwZzzaCqA", name: "get_temperature", arguments: '{"city":"Paris"}' },
    ]);
    expect(call.text).toMatch(/^<thinking> To find the temperature .*<\/thinking>\n$/);
    expect(call.finish).toEqual({ unified: "tool_calls", raw: "tool_use" });
    expect(call.usage).toEqual({
      inputTokens: 471,
      outputTokens: 91,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    const answer = summarize(decodeEventStream(second!.response.body?.string));
    expect(answer.text).toBe("The current temperature in Paris, the capital of France, is 30°C.");
    expect(answer.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(answer.usage).toEqual({
      inputTokens: 577,
      outputTokens: 18,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });
});
