import { describe, expect, it } from "vitest";
import { readCassetteBodies } from "../../../test/fixtures-helpers/fixtures.js";
import { invokeChunkFrame } from "../../../test/mock-upstream/aws-event-stream-frames.js";
import { parseSseText } from "../../dialects/sse.js";
import type { FrameEvent } from "./frame-reader.js";
import { createFrameReader } from "./index.js";
import { createSseFrameReader } from "./sse.js";

function read(body: Buffer, size: number): { events: FrameEvent[]; boundary: boolean } {
  const events: FrameEvent[] = [];
  const reader = createSseFrameReader((event) => events.push({ event: event.event, data: event.data }));
  for (let offset = 0; offset < body.length; offset += size)
    reader.feedBytes(body.subarray(offset, offset + size));
  return { events, boundary: reader.end() };
}

const BODIES = [
  "pydantic-ai/anthropic/test_anthropic_model_thinking_part_stream.yaml",
  "pydantic-ai/openrouter/test_openrouter_stream_with_reasoning.yaml",
];

describe("createSseFrameReader", () => {
  it.each(BODIES)("%s: the events of the whole body, whatever the chunking", (cassette) => {
    const text = readCassetteBodies(cassette)[0]!;
    const expected = parseSseText(text).map(({ event, data }) => ({ event, data }));
    expect(expected.length).toBeGreaterThan(3);
    const body = Buffer.from(text, "utf8");
    for (const size of [1, 7, 64, body.length])
      expect(read(body, size)).toEqual({ events: expected, boundary: true });
  });

  it("reads CRLF-separated records (Gemini's framing) the same way", () => {
    const text = readCassetteBodies(BODIES[0]!)[0]!;
    const expected = parseSseText(text).map(({ event, data }) => ({ event, data }));
    const body = Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");
    for (const size of [1, 7, body.length])
      expect(read(body, size)).toEqual({ events: expected, boundary: true });
  });

  it("delivers a last event without its blank line at the end, and says the body stopped mid-record", () => {
    const body = Buffer.from('event: a\ndata: {"x":1}\n\ndata: {"y":"é"}', "utf8");
    for (const size of [1, 3, body.length]) {
      expect(read(body, size)).toEqual({
        events: [
          { event: "a", data: '{"x":1}' },
          { event: undefined, data: '{"y":"é"}' },
        ],
        boundary: false,
      });
    }
    expect(read(Buffer.from("data: 1\n"), 4).boundary).toBe(false);
    expect(read(Buffer.from("data: 1\r\n\r\n"), 1).boundary).toBe(true);
    expect(read(Buffer.from("data: 1\r\r"), 1).boundary).toBe(true);
    expect(read(Buffer.from(": keep-alive\n\n"), 1)).toEqual({ events: [], boundary: true });
    expect(read(Buffer.alloc(0), 1)).toEqual({ events: [], boundary: true });
  });

  it("does not count a cut UTF-8 sequence as a boundary", () => {
    const body = Buffer.concat([Buffer.from("data: 1\n\n"), Buffer.from("é").subarray(0, 1)]);
    expect(read(body, 64).boundary).toBe(false);
  });
});

describe("createFrameReader", () => {
  it("picks the reader of the framing", () => {
    const events: FrameEvent[] = [];
    const sse = createFrameReader("sse", (event) => events.push(event));
    sse.feedBytes(Buffer.from("event: ping\ndata: {}\n\n"));
    expect(sse.end()).toBe(true);
    const frames = createFrameReader("aws-invoke-stream", (event) => events.push(event));
    frames.feedBytes(invokeChunkFrame('{"type":"ping"}'));
    expect(frames.end()).toBe(true);
    expect(events.map(({ event, data }) => ({ event, data }))).toEqual([
      { event: "ping", data: "{}" },
      { event: "ping", data: '{"type":"ping"}' },
    ]);
  });
});

describe("createSseFrameReader: bounded records", () => {
  it("fails a record that passes MAX_RECORD_BYTES without ending, and stays failed", async () => {
    const { MAX_RECORD_BYTES } = await import("./frame-reader.js");
    const events: FrameEvent[] = [];
    const reader = createSseFrameReader((event) => events.push(event));
    reader.feedBytes(Buffer.from('data: {"ok":1}\n\ndata: {"x":"'));
    const slice = Buffer.alloc(1024 * 1024, "x");
    let failure: unknown;
    try {
      for (let fed = 0; fed <= MAX_RECORD_BYTES; fed += slice.length) reader.feedBytes(slice);
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({
      code: "upstream_error",
      message: "the upstream stream sent a record larger than 8 MiB without ending it",
    });
    expect(events).toEqual([{ event: undefined, data: '{"ok":1}' }]);
    expect(() => reader.feedBytes(Buffer.from("\n\n"))).toThrow("larger than 8 MiB");
  });
});
