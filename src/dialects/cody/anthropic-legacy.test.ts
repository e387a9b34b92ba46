import { describe, expect, it } from "vitest";
import { readChunks, readFixtureJson } from "../../../test/fixtures-helpers/fixtures.js";
import { decodeAll } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { createAnthropicStreamDecoder } from "../anthropic/anthropic-stream-decoder.js";
import { createOpenAIStreamDecoder } from "../openai/openai-stream-decoder.js";
import { parseSseText } from "../sse.js";
import { anthropicLegacyToCanonicalRequest, legacyMaxTokensMessage } from "./anthropic-legacy-request.js";
import { canonicalToAnthropicLegacyResponse } from "./anthropic-legacy-response.js";
import { createAnthropicLegacyStreamEncoder } from "./anthropic-legacy-stream-encoder.js";

const cody = (name: string) => readFixtureJson(`../cody-gateway/${name}`) as Record<string, unknown>;

function parsed(body: unknown) {
  const result = anthropicLegacyToCanonicalRequest(body);
  if (!result.ok) throw new Error(result.error.message);
  return result;
}

function refused(body: unknown) {
  const result = anthropicLegacyToCanonicalRequest(body);
  if (result.ok) throw new Error("expected a refusal");
  return result.error;
}

const encode = (events: CanonicalStreamEvent[]) => {
  const encoder = createAnthropicLegacyStreamEncoder();
  return events.map((event) => encoder.encode(event)).join("") + encoder.end();
};

describe("legacy Anthropic request → canonical", () => {
  it("splits a chat prompt into system text and turns; the empty last Assistant turn asks for the answer", () => {
    const { request, warnings } = parsed(cody("anthropic-legacy-request.json"));
    expect(request.system).toEqual([
      { type: "text", text: "You are Cody, an AI coding assistant from Sourcegraph." },
    ]);
    expect(request.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "What does `git rebase -i` do?" }] },
      {
        role: "assistant",
        content: [{ type: "text", text: "It rewrites a range of commits interactively." }],
      },
      { role: "user", content: [{ type: "text", text: "Show me how to squash the last two commits." }] },
    ]);
    expect(request).toMatchObject({
      model: "claude-2.1",
      maxOutputTokens: 1000,
      temperature: 0.2,
      stream: true,
      stopSequences: ["\n\nHuman:"],
    });
    // A Sourcegraph instance marshals unset top_k/top_p as 0: not sent on.
    expect(request.topK).toBeUndefined();
    expect(request.topP).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("keeps an Assistant prefill as the last message (trailing whitespace removed) and the user id", () => {
    const { request } = parsed(cody("anthropic-legacy-autocomplete-request.json"));
    const last = request.messages.at(-1);
    expect(last?.role).toBe("assistant");
    expect(last?.content).toEqual([
      { type: "text", text: "Here is the completion: <CODE5711>function add(a, b) {\n  return" },
    ]);
    expect(request.system).toEqual([]);
    expect(request.user).toBe("8f2d:42");
    expect(request.topK).toBeUndefined();
    expect(request.topP).toBeUndefined();
    expect(request.stopSequences).toEqual(["\n\nHuman:", "</CODE5711>"]);
  });

  it("reads positive top_k and top_p", () => {
    const { request } = parsed({
      prompt: "\n\nHuman: hi\n\nAssistant:",
      max_tokens_to_sample: 5,
      top_k: 3,
      top_p: 0.9,
    });
    expect(request).toMatchObject({ topK: 3, topP: 0.9 });
  });

  it.each([
    [{ max_tokens_to_sample: 5 }, "prompt", "is required"],
    [{ prompt: "hello", max_tokens_to_sample: 5 }, "prompt", "Human:"],
    [{ prompt: "\n\nAssistant: hi\n\nHuman: x", max_tokens_to_sample: 5 }, "prompt", "before any"],
    [{ prompt: "\n\nHuman:\n\nAssistant:", max_tokens_to_sample: 5 }, "prompt", "Human turn 1 is empty"],
    [{ prompt: "\n\nHuman: hi\n\nAssistant:" }, "max_tokens_to_sample", "is required"],
    [
      { prompt: "\n\nHuman: hi\n\nAssistant:", max_tokens_to_sample: 0 },
      "max_tokens_to_sample",
      "at least 1",
    ],
    [{ prompt: "\n\nHuman: hi\n\nAssistant:", max_tokens_to_sample: "9" }, "max_tokens_to_sample", "number"],
    [
      { prompt: "\n\nHuman: hi\n\nAssistant:", max_tokens_to_sample: 9, temperature: 1.5 },
      "temperature",
      "at most 1",
    ],
    [{ prompt: 7, max_tokens_to_sample: 9 }, "prompt", "string"],
    [
      { prompt: "\n\nHuman: hi", max_tokens_to_sample: 9, stop_sequences: [1] },
      "stop_sequences[0]",
      "string",
    ],
    [{ prompt: "\n\nHuman: hi", max_tokens_to_sample: 9, metadata: "x" }, "metadata", "object"],
  ])("refuses %j naming %s", (body, field, message) => {
    const error = refused(body);
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it("warns about fields the legacy API does not have instead of dropping them silently", () => {
    const { warnings } = parsed({ prompt: "\n\nHuman: hi", max_tokens_to_sample: 9, logprobs: 2 });
    expect(warnings).toEqual([{ field: "logprobs", message: expect.stringContaining("not sent") }]);
  });

  it("words the max_tokens_to_sample refusal as Cody Gateway does", () => {
    expect(legacyMaxTokensMessage(4000, 5000)).toBe(
      "max_tokens_to_sample exceeds maximum allowed value of 4000: 5000",
    );
  });
});

describe("canonical → legacy Anthropic answer", () => {
  it("has the 2023-01-01 answer's fields", () => {
    const body = canonicalToAnthropicLegacyResponse({
      id: "msg_1",
      model: "claude-2.1",
      content: [
        { type: "reasoning", text: "thinking" },
        { type: "text", text: " Run it." },
      ],
      finish: { unified: "stop", raw: "stop_sequence", stopSequence: "\n\nHuman:" },
      usage: { inputTokens: 10, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(Object.keys(body).sort()).toEqual(Object.keys(cody("anthropic-legacy-response.json")).sort());
    expect(body).toMatchObject({ completion: " Run it.", stop_reason: "stop_sequence", stop: "\n\nHuman:" });
  });

  it.each([
    ["stop", "stop_sequence"],
    ["length", "max_tokens"],
    ["tool_calls", "stop_sequence"],
    ["content_filter", "stop_sequence"],
  ] as const)("maps a %s finish to %s", (unified, legacy) => {
    const body = canonicalToAnthropicLegacyResponse({
      id: "",
      model: "m",
      content: [],
      finish: { unified, raw: undefined },
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(body.stop_reason).toBe(legacy);
  });
});

describe("canonical stream → legacy Anthropic stream (cumulative completions, [DONE])", () => {
  it("writes the whole completion so far in every record, the stop reason last, then [DONE]", () => {
    const events = decodeAll(
      createAnthropicStreamDecoder(),
      readChunks("vercel-ai/anthropic/anthropic-text.chunks.txt"),
    );
    const records = parseSseText(encode(events));
    expect(records.at(-1)).toMatchObject({ data: "[DONE]" });
    expect(records.every((record) => record.event === undefined)).toBe(true);
    const payloads = records.slice(0, -1).map((record) => JSON.parse(record.data) as Record<string, unknown>);
    const texts = events.flatMap((event) => (event.type === "text-delta" ? [event.text] : []));
    expect(payloads.length).toBe(texts.filter((text) => text !== "").length + 1);
    let previous = "";
    for (const payload of payloads.slice(0, -1)) {
      const completion = payload.completion as string;
      expect(completion.startsWith(previous)).toBe(true);
      expect(completion.length).toBeGreaterThan(previous.length);
      expect(payload.stop_reason).toBeNull();
      previous = completion;
    }
    const last = payloads.at(-1)!;
    expect(last.completion).toBe(texts.join(""));
    expect(last.stop_reason).toBe("stop_sequence");
    expect(last.model).not.toBe("");
  });

  it("translates an OpenAI stream ending on the length limit (usage after the finish chunk)", () => {
    const events = decodeAll(createOpenAIStreamDecoder(), [
      { id: "c1", model: "gpt-4o", choices: [{ index: 0, delta: { role: "assistant", content: "Hel" } }] },
      { id: "c1", model: "gpt-4o", choices: [{ index: 0, delta: { content: "lo" } }] },
      { id: "c1", model: "gpt-4o", choices: [{ index: 0, delta: {}, finish_reason: "length" }] },
      { id: "c1", model: "gpt-4o", choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } },
    ]);
    const payloads = parseSseText(encode(events))
      .filter((record) => record.data !== "[DONE]")
      .map((record) => JSON.parse(record.data) as Record<string, unknown>);
    expect(payloads.map((payload) => payload.completion)).toEqual(["Hel", "Hello", "Hello"]);
    expect(payloads.map((payload) => payload.stop_reason)).toEqual([null, null, "max_tokens"]);
  });

  it("ends a failed stream with Anthropic's error event and no [DONE]", () => {
    const text = encode([
      { type: "message-start", id: "m", model: "claude" },
      { type: "text-delta", index: 0, text: "partial" },
      { type: "error", error: { status: 529, type: "overloaded", message: "Overloaded" } },
    ]);
    const records = parseSseText(text);
    expect(records.map((record) => record.data)).not.toContain("[DONE]");
    expect(records.at(-1)?.event).toBe("error");
    expect(JSON.parse(records.at(-1)!.data)).toMatchObject({
      error: { type: "overloaded_error", message: "Overloaded" },
    });
  });
});
