import { describe, expect, it } from "vitest";
import { readChunks, readFixtureJson } from "../../../test/fixtures-helpers/fixtures.js";
import { decodeAll } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { createAnthropicStreamDecoder } from "../anthropic/anthropic-stream-decoder.js";
import { parseSseText } from "../sse.js";
import { geminiToCanonicalRequest } from "./gemini-request-parse.js";
import { geminiResponseToCanonical } from "./gemini-response.js";
import { canonicalToGeminiResponse } from "./gemini-response-encode.js";
import { createGeminiStreamDecoder } from "./gemini-stream-decoder.js";
import { createGeminiStreamEncoder } from "./gemini-stream-encoder.js";

const cody = (name: string) => readFixtureJson(`../cody-gateway/${name}`) as Record<string, unknown>;

function parsed(body: unknown) {
  const result = geminiToCanonicalRequest(body);
  if (!result.ok) throw new Error(result.error.message);
  return result;
}

const encode = (events: CanonicalStreamEvent[]) => {
  const encoder = createGeminiStreamEncoder();
  return events.map((event) => encoder.encode(event)).join("") + encoder.end();
};

describe("Gemini request from a client → canonical", () => {
  it("reads the body a Sourcegraph instance sends (string systemInstruction, routing-only stream)", () => {
    const { request, warnings } = parsed(cody("google-request.json"));
    expect(request).toMatchObject({
      model: "gemini-1.5-flash",
      stream: true,
      includeUsage: true,
      temperature: 0.2,
      topP: 0.95,
      topK: 40,
      maxOutputTokens: 1000,
      system: [{ type: "text", text: "You are Cody, an AI coding assistant from Sourcegraph." }],
    });
    expect(request.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(warnings.map((warning) => warning.field)).toEqual(["safetySettings"]);
  });

  it("reads a Content systemInstruction, a turn without a role, and inline images", () => {
    const png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    const { request } = parsed({
      model: "gemini-2.5-pro",
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [
        { parts: [{ text: "What is this?" }, { inlineData: { mimeType: "image/png", data: png } }] },
      ],
      generationConfig: { stopSequences: ["END"], candidateCount: 1, responseMimeType: "application/json" },
    });
    expect(request.system).toEqual([{ type: "text", text: "Be brief." }]);
    expect(request.messages[0]?.role).toBe("user");
    expect(request.messages[0]?.content[1]).toEqual({
      type: "image",
      source: { type: "base64", mediaType: "image/png", data: png },
    });
    expect(request).toMatchObject({ stopSequences: ["END"], choices: 1, responseFormat: { type: "json" } });
    expect(request.stream).toBe(false);
  });

  it.each([
    [{ contents: [{ parts: [{ text: "x" }] }] }, "model", "is required"],
    [{ model: "g" }, "contents", "is required"],
    [{ model: "g", contents: [] }, "contents", "must not be empty"],
    [
      { model: "g", contents: [{ role: "system", parts: [{ text: "x" }] }] },
      "contents[0].role",
      "user, model",
    ],
    [{ model: "g", contents: [{ role: "user", parts: [] }] }, "contents[0].parts", "must not be empty"],
    [{ model: "g", contents: [{ parts: [{ foo: 1 }] }] }, "contents[0].parts[0]", "text, inlineData"],
    [
      { model: "g", contents: [{ parts: [{ functionCall: { name: "f" } }] }] },
      "contents[0].parts[0]",
      "function",
    ],
    [{ model: "g", contents: [{ parts: [{ text: "x" }] }], tools: [] }, "tools", "not supported"],
    [
      { model: "g", contents: [{ parts: [{ text: "x" }] }], generationConfig: { temperature: 3 } },
      "generationConfig.temperature",
      "at most 2",
    ],
    [
      { model: "g", contents: [{ parts: [{ text: "x" }] }], generationConfig: { candidateCount: 2 } },
      "generationConfig.candidateCount",
      "at most 1",
    ],
    [
      { model: "g", contents: [{ parts: [{ text: "x" }] }], generationConfig: { maxOutputTokens: -1 } },
      "generationConfig.maxOutputTokens",
      "at least 1",
    ],
    [{ model: "g", contents: [{ parts: [{ text: "x" }] }], stream: "yes" }, "stream", "true or false"],
    [
      { model: "g", contents: [{ parts: [{ inlineData: { mimeType: "image/png", data: "aGVsbG8=" } }] }] },
      "contents[0].parts[0].inlineData.data",
      "image/png",
    ],
  ])("refuses %j naming %s", (body, field, message) => {
    const result = geminiToCanonicalRequest(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.field).toBe(field);
    expect(result.error.message).toContain(message);
  });
});

describe("canonical → Gemini answer for a client", () => {
  it("round-trips a recorded Gemini answer: text, finishReason and usageMetadata", () => {
    const recorded = readFixtureJson("vercel-ai/google/google-text.json");
    const read = geminiResponseToCanonical(recorded);
    if (!read.ok) throw new Error(read.error.message);
    const body = canonicalToGeminiResponse(read.response);
    const again = geminiResponseToCanonical(body);
    if (!again.ok) throw new Error(again.error.message);
    expect(again.response.content).toEqual(read.response.content);
    expect(again.response.finish).toEqual(read.response.finish);
    expect(again.response.usage).toEqual(read.response.usage);
  });

  it("writes Gemini's words for another provider's finish and its usage", () => {
    const body = canonicalToGeminiResponse({
      id: "msg_1",
      model: "claude-sonnet-4",
      content: [{ type: "text", text: "Hi" }],
      finish: { unified: "length", raw: "max_tokens" },
      usage: {
        inputTokens: 12,
        outputTokens: 7,
        cacheReadTokens: 2,
        cacheWriteTokens: 0,
        reasoningTokens: 3,
      },
    });
    expect(body).toEqual({
      candidates: [
        { content: { role: "model", parts: [{ text: "Hi" }] }, finishReason: "MAX_TOKENS", index: 0 },
      ],
      usageMetadata: {
        promptTokenCount: 12,
        candidatesTokenCount: 4,
        thoughtsTokenCount: 3,
        cachedContentTokenCount: 2,
        totalTokenCount: 19,
      },
      modelVersion: "claude-sonnet-4",
      responseId: "msg_1",
    });
  });
});

describe("canonical stream → Gemini SSE for a client", () => {
  it("round-trips a recorded Gemini stream; the last record carries finishReason and usageMetadata", () => {
    const original = decodeAll(
      createGeminiStreamDecoder(),
      readChunks("vercel-ai/google/google-text.chunks.txt"),
    );
    const records = parseSseText(encode(original));
    const last = JSON.parse(records.at(-1)!.data) as Record<string, unknown>;
    expect(last).toHaveProperty("usageMetadata");
    expect(last).toMatchObject({ candidates: [{ finishReason: "STOP" }] });
    const again = decodeAll(
      createGeminiStreamDecoder(),
      records.map((record) => JSON.parse(record.data) as unknown),
    );
    const text = (events: CanonicalStreamEvent[]) =>
      events.flatMap((event) => (event.type === "text-delta" ? [event.text] : [])).join("");
    expect(text(again)).toBe(text(original));
    const usage = (events: CanonicalStreamEvent[]) => events.filter((event) => event.type === "usage").at(-1);
    expect(usage(again)).toEqual(usage(original));
  });

  it("translates an Anthropic stream (usage from message_start and message_delta)", () => {
    const events = decodeAll(
      createAnthropicStreamDecoder(),
      readChunks("vercel-ai/anthropic/anthropic-text.chunks.txt"),
    );
    const records = parseSseText(encode(events)).map(
      (record) => JSON.parse(record.data) as Record<string, unknown>,
    );
    const last = records.at(-1) as {
      usageMetadata: { promptTokenCount: number; candidatesTokenCount: number };
    };
    expect(last.usageMetadata.promptTokenCount).toBeGreaterThan(0);
    expect(last.usageMetadata.candidatesTokenCount).toBeGreaterThan(0);
    expect(records.slice(0, -1).every((record) => !("usageMetadata" in record))).toBe(true);
  });

  it("ends a failed stream with Google's error body", () => {
    const text = encode([
      { type: "message-start", id: "r", model: "gemini" },
      { type: "text-delta", index: 0, text: "partial" },
      { type: "error", error: { status: 503, type: "overloaded", message: "The model is overloaded." } },
    ]);
    const records = parseSseText(text);
    expect(JSON.parse(records.at(-1)!.data)).toEqual({
      error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" },
    });
    expect(records).toHaveLength(2);
  });
});
