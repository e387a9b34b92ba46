import { describe, expect, it } from "vitest";
import { decodeAll } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { geminiCallId } from "./gemini-call-id.js";
import { parseJsonPath } from "./gemini-partial-args.js";
import { geminiResponseToCanonical } from "./gemini-response.js";
import { createGeminiStreamDecoder } from "./gemini-stream-decoder.js";

const record = (parts: unknown[], extra: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: "model", parts }, index: 0, ...extra }],
  responseId: "r1",
  modelVersion: "gemini-2.5-flash",
});
const stop = { finishReason: "STOP" };
const decode = (...records: unknown[]) => decodeAll(createGeminiStreamDecoder(), records);
const start: CanonicalStreamEvent = { type: "message-start", id: "r1", model: "gemini-2.5-flash" };

describe("gemini stream decoder", () => {
  it("opens a reasoning block for thought parts, then a text block", () => {
    expect(
      decode(
        record([{ text: "Let me think", thought: true }]),
        record([{ text: " more.", thought: true, thoughtSignature: "t-sig" }]),
        record([{ text: "Answer" }], stop),
      ),
    ).toEqual([
      start,
      { type: "reasoning-delta", index: 0, kind: "text", text: "Let me think" },
      { type: "reasoning-delta", index: 0, kind: "text", text: " more." },
      { type: "reasoning-delta", index: 0, kind: "signature", signature: "t-sig" },
      { type: "content-block-stop", index: 0 },
      { type: "text-delta", index: 1, text: "Answer" },
      { type: "content-block-stop", index: 1 },
      { type: "finish", finish: { unified: "stop", raw: "STOP" } },
    ]);
  });

  it("starts a new reasoning block after a signed thought", () => {
    const events = decode(
      record([
        { text: "One.", thought: true, thoughtSignature: "a" },
        { text: "Two.", thought: true },
      ]),
      record([], stop),
    );
    expect(events.filter((event) => event.type === "reasoning-delta").map((event) => event.index)).toEqual([
      0, 0, 1,
    ]);
  });

  it("signs the open text block with a trailing empty part, and starts a new block after a signed one", () => {
    expect(
      decode(
        record([{ text: "A" }, { text: "", thoughtSignature: "s1" }]),
        record([{ text: "B" }, { text: "" }], stop),
      ),
    ).toEqual([
      start,
      { type: "text-delta", index: 0, text: "A" },
      { type: "text-delta", index: 0, text: "", signature: "s1" },
      { type: "content-block-stop", index: 0 },
      { type: "text-delta", index: 1, text: "B" },
      { type: "content-block-stop", index: 1 },
      { type: "finish", finish: { unified: "stop", raw: "STOP" } },
    ]);
  });

  it("makes each function call a block with the whole arguments, {} when there are none", () => {
    const events = decode(
      record([
        { text: "Calling." },
        { functionCall: { name: "a", args: { x: 1 } }, thoughtSignature: "s" },
        { functionCall: { name: "b" } },
      ]),
      record([{ text: "" }], stop),
    );
    expect(events).toEqual([
      start,
      { type: "text-delta", index: 0, text: "Calling." },
      { type: "content-block-stop", index: 0 },
      { type: "tool-call-start", index: 1, id: geminiCallId("r1", 0, "a"), name: "a", signature: "s" },
      { type: "tool-call-delta", index: 1, arguments: '{"x":1}' },
      { type: "content-block-stop", index: 1 },
      { type: "tool-call-start", index: 2, id: geminiCallId("r1", 1, "b"), name: "b" },
      { type: "tool-call-delta", index: 2, arguments: "{}" },
      { type: "content-block-stop", index: 2 },
      { type: "finish", finish: { unified: "tool_calls", raw: "STOP" } },
    ]);
  });

  it("uses Gemini's own call id when it gives one", () => {
    const events = decode(record([{ functionCall: { id: "fc-7", name: "a", args: {} } }], stop));
    expect(events[1]).toEqual({ type: "tool-call-start", index: 0, id: "fc-7", name: "a" });
  });

  it("assembles streamed arguments of every value type and nested paths", () => {
    const events = decode(
      record([{ functionCall: { name: "cook", willContinue: true } }]),
      record([
        {
          functionCall: {
            partialArgs: [{ jsonPath: "$.recipe.items[0].name", stringValue: "Lasa", willContinue: true }],
            willContinue: true,
          },
        },
      ]),
      record([
        {
          functionCall: {
            partialArgs: [
              { jsonPath: "$.recipe.items[0].name", stringValue: "gna" },
              { jsonPath: "$.recipe.items[1]['a b']", numberValue: 2 },
              { jsonPath: "$.vegan", boolValue: false },
              { jsonPath: "$.note", nullValue: "NULL_VALUE" },
            ],
            willContinue: true,
          },
        },
      ]),
      record([{ functionCall: { willContinue: true } }]),
      record([{ functionCall: {} }], stop),
    );
    expect(events.filter((event) => event.type === "tool-call-delta")).toEqual([
      {
        type: "tool-call-delta",
        index: 0,
        arguments: '{"recipe":{"items":[{"name":"Lasagna"},{"a b":2}]},"vegan":false,"note":null}',
      },
    ]);
    expect(parseJsonPath("$.a[3]['b.c'][\"d\"]")).toEqual(["a", 3, "b.c", "d"]);
    expect(parseJsonPath("a.b")).toBeUndefined();
  });

  it("reports usage only when it changes, and reads cache and tool-use prompt tokens", () => {
    const usage = {
      promptTokenCount: 100,
      cachedContentTokenCount: 60,
      toolUsePromptTokenCount: 7,
      candidatesTokenCount: 5,
    };
    const events = decode(
      { ...record([{ text: "a" }]), usageMetadata: { trafficType: "ON_DEMAND" } },
      { ...record([{ text: "b" }]), usageMetadata: usage },
      { ...record([{ text: "c" }], stop), usageMetadata: usage },
    );
    expect(events.filter((event) => event.type === "usage")).toEqual([
      {
        type: "usage",
        usage: { inputTokens: 107, outputTokens: 5, cacheReadTokens: 60, cacheWriteTokens: 0 },
      },
    ]);
  });

  it("turns an error record, a blocked prompt, bad JSON and a cut stream into one error event each", () => {
    expect(
      decode({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }),
    ).toEqual([
      {
        type: "error",
        error: { status: 503, type: "overloaded", code: "UNAVAILABLE", message: "The model is overloaded." },
      },
    ]);
    // The blocked prompt comes before message-start, so a relay can still answer with a status.
    expect(decode({ promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, responseId: "r" })).toEqual([
      {
        type: "error",
        error: {
          status: 400,
          type: "invalid_request",
          code: "content_filter",
          message: "Gemini blocked the prompt (PROHIBITED_CONTENT)",
        },
      },
    ]);
    const broken = createGeminiStreamDecoder();
    expect(broken.pushData(JSON.stringify(record([{ text: "a" }])))).toHaveLength(2);
    expect(broken.pushData("{not json")).toEqual([
      {
        type: "error",
        error: { status: 502, type: "api_error", message: "malformed upstream stream chunk" },
      },
    ]);
    expect(broken.end()).toEqual([]);
    const cut = createGeminiStreamDecoder();
    cut.push(record([{ functionCall: { name: "a", willContinue: true } }]));
    expect(cut.end()).toEqual([
      {
        type: "error",
        error: { status: 502, type: "api_error", message: "upstream stream ended before a finishReason" },
      },
    ]);
  });

  it("maps finish reasons, a function call making STOP tool_calls only", () => {
    const finish = (reason: string, parts: unknown[] = [{ text: "x" }]) =>
      decode(record(parts, { finishReason: reason })).find((event) => event.type === "finish");
    const cases: Array<[string, string]> = [
      ["STOP", "stop"],
      ["MAX_TOKENS", "length"],
      ["SAFETY", "content_filter"],
      ["RECITATION", "content_filter"],
      ["BLOCKLIST", "content_filter"],
      ["PROHIBITED_CONTENT", "content_filter"],
      ["SPII", "content_filter"],
      ["IMAGE_SAFETY", "content_filter"],
      ["MALFORMED_FUNCTION_CALL", "error"],
      ["UNEXPECTED_TOOL_CALL", "error"],
      ["TOO_MANY_TOOL_CALLS", "error"],
      ["OTHER", "other"],
      ["FINISH_REASON_UNSPECIFIED", "other"],
      ["SOMETHING_NEW", "other"],
    ];
    for (const [raw, unified] of cases)
      expect(finish(raw)).toEqual({ type: "finish", finish: { unified, raw } });
    const call = [{ functionCall: { name: "f", args: {} } }];
    expect(finish("STOP", call)).toMatchObject({ finish: { unified: "tool_calls" } });
    expect(finish("MAX_TOKENS", call)).toMatchObject({ finish: { unified: "length" } });
  });
});

describe("gemini non-streamed response edge cases", () => {
  it("answers a blocked prompt with a 400 error naming the reason", () => {
    expect(
      geminiResponseToCanonical({
        promptFeedback: { blockReason: "SAFETY", blockReasonMessage: "unsafe" },
        usageMetadata: { promptTokenCount: 9 },
      }),
    ).toEqual({
      ok: false,
      error: {
        status: 400,
        type: "invalid_request",
        code: "content_filter",
        message: "Gemini blocked the prompt (SAFETY): unsafe",
      },
    });
  });

  it("reads a filtered candidate without content, and a body without candidates", () => {
    const filtered = geminiResponseToCanonical({ candidates: [{ finishReason: "SAFETY", index: 0 }] });
    expect(filtered).toMatchObject({
      ok: true,
      response: { content: [], finish: { unified: "content_filter" } },
    });
    expect(geminiResponseToCanonical({ responseId: "x" })).toEqual({
      ok: true,
      response: {
        id: "x",
        model: "",
        content: [],
        finish: { unified: "other", raw: undefined },
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      },
    });
  });

  it("reads thought parts as reasoning and error bodies as errors", () => {
    const result = geminiResponseToCanonical(
      record(
        [
          { text: "Hmm.", thought: true },
          { text: "Yes.", thoughtSignature: "s" },
        ],
        stop,
      ),
    );
    expect(result.ok && result.response.content).toEqual([
      { type: "reasoning", text: "Hmm.", format: "google-gemini-v1" },
      { type: "text", text: "Yes.", signature: "s" },
    ]);
    expect(
      geminiResponseToCanonical({ error: { code: 400, message: "bad", status: "INVALID_ARGUMENT" } }, 400),
    ).toMatchObject({ ok: false, error: { status: 400, type: "invalid_request", code: "INVALID_ARGUMENT" } });
    expect(geminiResponseToCanonical("<html>oops</html>")).toMatchObject({
      ok: false,
      error: { status: 502, message: "<html>oops</html>" },
    });
  });
});
