import { describe, expect, it } from "vitest";
import { readChunks, readHadrian } from "../../../test/fixtures-helpers/fixtures.js";
import { decodeAll, summarize } from "../../../test/fixtures-helpers/stream-summary.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { createConverseStreamDecoder } from "./converse-stream-decoder.js";

/** hadrian's recorded frames: the `:event-type` header and the JSON payload, as the frame reader hands them. */
function hadrianEvents(path: string): Array<{ type: string; payload: unknown }> {
  const fixture = readHadrian(path) as unknown as {
    response: { events: Array<{ event_type: string; payload: unknown }> };
  };
  return fixture.response.events.map((event) => ({ type: event.event_type, payload: event.payload }));
}

/** Through `pushEvent(type, data)`, the seam for event-stream frames. */
function decodeFrames(frames: Array<{ type: string; payload: unknown }>): CanonicalStreamEvent[] {
  const decoder = createConverseStreamDecoder();
  const pushEvent = decoder.pushEvent;
  if (!pushEvent) throw new Error("the Converse decoder takes typed events");
  return [
    ...frames.flatMap((frame) => pushEvent(frame.type, JSON.stringify(frame.payload))),
    ...decoder.end(),
  ];
}

const decode = (payloads: unknown[]) => decodeAll(createConverseStreamDecoder(), payloads);

describe("Converse stream decoder on recorded fixtures", () => {
  it("decodes vercel's text stream, the finish after the metadata usage", () => {
    const events = decode(readChunks("vercel-ai/amazon-bedrock/amazon-bedrock-text.chunks.txt"));
    const summary = summarize(events);
    expect(summary.text).toBe(
      'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."',
    );
    expect(summary.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(summary.usage).toEqual({
      inputTokens: 22,
      outputTokens: 55,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(summary.errors).toEqual([]);
    expect(events[0]).toEqual({ type: "message-start", id: "", model: "" });
    expect(events.slice(-3).map((event) => event.type)).toEqual(["content-block-stop", "usage", "finish"]);
  });

  it("decodes vercel's reasoning stream: reasoning text and signature in block 0, text in block 1", () => {
    const events = decode(readChunks("vercel-ai/amazon-bedrock/amazon-bedrock-reasoning.chunks.txt"));
    const summary = summarize(events);
    expect(summary.reasoning).toBe(
      "Let me count the r's in \"strawberry\":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8, and 9.\n\nSo there are 3 r's.",
    );
    expect(summary.signatures).toHaveLength(1);
    expect(summary.signatures[0]).toMatch(/^Ep0CCkgICxAB.*GAE=$/);
    expect(summary.text).toBe('There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y');
    expect(summary.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(summary.usage).toEqual({
      inputTokens: 51,
      outputTokens: 94,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    const blocks = events.flatMap((event) =>
      event.type === "reasoning-delta" || event.type === "text-delta" || event.type === "content-block-stop"
        ? [`${event.type}@${event.index}`]
        : [],
    );
    expect(new Set(blocks)).toEqual(
      new Set(["reasoning-delta@0", "content-block-stop@0", "text-delta@1", "content-block-stop@1"]),
    );
    // The empty reasoning delta before the signature says nothing.
    expect(
      events.some((event) => event.type === "reasoning-delta" && event.kind === "text" && event.text === ""),
    ).toBe(false);
  });

  it("decodes hadrian's Nova text stream from typed frames, ignoring the p padding", () => {
    const summary = summarize(decodeFrames(hadrianEvents("hadrian/bedrock/converse_streaming.json")));
    expect(summary.text).toBe(
      "1  \n2  \n3  \n4  \n5  \n6  \n7  \n8  \n9  \n10  \n11  \n12  \n13  \n14  \n15  \n16  \n17  \n18  \n19  \n20",
    );
    expect(summary.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(summary.usage).toEqual({
      inputTokens: 64,
      outputTokens: 40,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(summary.errors).toEqual([]);
  });

  it("decodes hadrian's Claude tool call: contentBlockStart, then toolUse input fragments", () => {
    const events = decodeFrames(hadrianEvents("hadrian/bedrock/tool_call_streaming.json"));
    const summary = summarize(events);
    expect(summary.toolCalls).toEqual([
      {
        id: "tooluse_Vbt5VfgsRmizsIl7MPx2Qw",
        name: "get_weather",
        arguments: '{"location": "San Francisco, USA"}',
      },
    ]);
    expect(summary.text).toBe("");
    expect(summary.finish).toEqual({ unified: "tool_calls", raw: "tool_use" });
    expect(summary.usage).toEqual({
      inputTokens: 596,
      outputTokens: 56,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    // The empty first input fragment is not an event.
    expect(events.filter((event) => event.type === "tool-call-delta")).toHaveLength(6);
  });

  it("gives the same events whichever way an event arrives: wrapped, as data, or typed", () => {
    for (const path of [
      "hadrian/bedrock/converse_streaming.json",
      "hadrian/bedrock/tool_call_streaming.json",
    ]) {
      const frames = hadrianEvents(path);
      const wrapped = frames.map((frame) => ({ [frame.type]: frame.payload }));
      const asData = createConverseStreamDecoder();
      const fromData = [
        ...wrapped.flatMap((event) => asData.pushData(JSON.stringify(event))),
        ...asData.end(),
      ];
      expect(decode(wrapped)).toEqual(decodeFrames(frames));
      expect(fromData).toEqual(decodeFrames(frames));
    }
  });
});

describe("Converse stream decoder", () => {
  it("holds the finish from messageStop until metadata brings the usage", () => {
    const decoder = createConverseStreamDecoder({ model: "us.amazon.nova-micro-v1:0", requestId: "req-9" });
    expect(decoder.push({ messageStart: { role: "assistant" } })).toEqual([
      { type: "message-start", id: "req-9", model: "us.amazon.nova-micro-v1:0" },
    ]);
    expect(decoder.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "" } } })).toEqual([
      { type: "text-delta", index: 0, text: "" },
    ]);
    expect(decoder.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "" } } })).toEqual([]);
    expect(decoder.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Hi" } } })).toEqual([
      { type: "text-delta", index: 0, text: "Hi" },
    ]);
    expect(decoder.push({ contentBlockStop: { contentBlockIndex: 0 } })).toEqual([
      { type: "content-block-stop", index: 0 },
    ]);
    expect(
      decoder.push({
        messageStop: {
          stopReason: "stop_sequence",
          additionalModelResponseFields: { delta: { stop_sequence: "\n\n" } },
        },
      }),
    ).toEqual([]);
    expect(
      decoder.push({
        metadata: {
          usage: { inputTokens: 5, outputTokens: 2, cacheReadInputTokens: 10, totalTokens: 17 },
          metrics: { latencyMs: 100 },
        },
      }),
    ).toEqual([
      {
        type: "usage",
        usage: { inputTokens: 15, outputTokens: 2, cacheReadTokens: 10, cacheWriteTokens: 0 },
      },
      { type: "finish", finish: { unified: "stop", raw: "stop_sequence", stopSequence: "\n\n" } },
    ]);
    expect(decoder.end()).toEqual([]);
  });

  it("finishes at the end without usage when no metadata came", () => {
    const events = decode([
      { messageStart: { role: "assistant" } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Hi" } } },
      { messageStop: { stopReason: "max_tokens" } },
    ]);
    expect(events.at(-1)).toEqual({ type: "finish", finish: { unified: "length", raw: "max_tokens" } });
    expect(summarize(events).usage).toBeUndefined();
  });

  it("finishes at messageStop when the metadata came first", () => {
    const decoder = createConverseStreamDecoder();
    decoder.push({ metadata: { usage: { inputTokens: 1, outputTokens: 1 } } });
    expect(decoder.push({ messageStop: { stopReason: "end_turn" } })).toEqual([
      { type: "finish", finish: { unified: "stop", raw: "end_turn" } },
    ]);
  });

  it("reports a stream that ends before messageStop", () => {
    const events = decode([
      { messageStart: { role: "assistant" } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Hi" } } },
    ]);
    expect(events.at(-1)).toEqual({
      type: "error",
      error: { status: 502, type: "api_error", message: "upstream stream ended before messageStop" },
    });
  });

  it("decodes redacted reasoning and a signature delta", () => {
    const events = decode([
      { messageStart: { role: "assistant" } },
      {
        contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { redactedContent: "ZW5j" } } },
      },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { reasoningContent: { text: "think" } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { reasoningContent: { signature: "sig" } } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { messageStop: { stopReason: "end_turn" } },
    ]);
    expect(events.filter((event) => event.type === "reasoning-delta")).toEqual([
      { type: "reasoning-delta", index: 0, kind: "redacted", data: "ZW5j" },
      { type: "reasoning-delta", index: 1, kind: "text", text: "think" },
      { type: "reasoning-delta", index: 1, kind: "signature", signature: "sig" },
    ]);
  });

  it.each([
    [
      "throttlingException",
      { message: "Too many tokens, please wait before trying again." },
      429,
      "rate_limit",
    ],
    ["internalServerException", { message: "boom" }, 500, "api_error"],
    ["validationException", { message: "bad input" }, 400, "invalid_request"],
    ["serviceUnavailableException", { message: "busy" }, 503, "overloaded"],
    ["modelStreamErrorException", { message: "model", originalStatusCode: 529 }, 529, "overloaded"],
  ] as const)("turns a %s into an error event and stops", (type, payload, status, canonical) => {
    const decoder = createConverseStreamDecoder();
    decoder.push({ messageStart: { role: "assistant" } });
    const [error, ...rest] = decoder.push({ [type]: payload });
    expect(rest).toEqual([]);
    expect(error).toMatchObject({
      type: "error",
      error: { status, type: canonical, message: payload.message },
    });
    expect(decoder.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "late" } } })).toEqual(
      [],
    );
    expect(decoder.end()).toEqual([]);
  });

  it("takes an exception frame's :exception-type through pushEvent, even with a text payload", () => {
    const decoder = createConverseStreamDecoder();
    expect(decoder.pushEvent?.("throttlingException", '{"message":"Rate exceeded"}')).toEqual([
      {
        type: "error",
        error: { status: 429, type: "rate_limit", code: "ThrottlingException", message: "Rate exceeded" },
      },
    ]);
    const other = createConverseStreamDecoder();
    expect(other.pushEvent?.("internalServerException", "Internal failure")).toMatchObject([
      { type: "error", error: { status: 500, message: "Internal failure" } },
    ]);
  });

  it("turns a malformed event into an error and ignores event types it does not know", () => {
    expect(createConverseStreamDecoder().pushEvent?.("contentBlockDelta", "{not json")).toMatchObject([
      { type: "error", error: { status: 502 } },
    ]);
    expect(createConverseStreamDecoder().pushData("{not json")).toMatchObject([{ type: "error" }]);
    expect(createConverseStreamDecoder().push("text")).toMatchObject([{ type: "error" }]);
    const decoder = createConverseStreamDecoder();
    expect(decoder.push({ somethingNew: { x: 1 } })).toEqual([]);
    expect(decoder.pushEvent?.("somethingNew", "{}")).toEqual([]);
    expect(
      decoder.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { citation: { title: "t" } } } }),
    ).toEqual([{ type: "message-start", id: "", model: "" }]);
  });
});
