import { describe, expect, it } from "vitest";
import { readCassetteBodies } from "../../../test/fixtures-helpers/fixtures.js";
import {
  errorFrame,
  eventFrame,
  exceptionFrame,
  invokeChunkFrame,
  readCassetteBinaryBodies,
} from "../../../test/mock-upstream/aws-event-stream-frames.js";
import { parseSseText } from "../../dialects/sse.js";
import { GatewayError } from "../../errors/index.js";
import {
  BEDROCK_STREAM_EXCEPTION_STATUS,
  createEventStreamReader,
  type EventStreamReaderOptions,
} from "./aws-event-stream.js";
import type { FrameEvent } from "./frame-reader.js";

const CASSETTES = [
  "pydantic-ai/bedrock/test_bedrock_model_stream.yaml",
  "pydantic-ai/bedrock/test_bedrock_model_thinking_part_stream.yaml",
  "pydantic-ai/bedrock/test_bedrock_model_iter_stream.yaml",
];

/** Feeds `chunks` and returns the records and whether the body ended on a frame boundary. */
function read(
  chunks: Buffer[],
  options: EventStreamReaderOptions = {},
): { events: FrameEvent[]; boundary: boolean } {
  const events: FrameEvent[] = [];
  const reader = createEventStreamReader((event) => events.push(event), options);
  for (const chunk of chunks) reader.feedBytes(chunk);
  return { events, boundary: reader.end() };
}

function split(body: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += size)
    chunks.push(body.subarray(offset, offset + size));
  return chunks;
}

const errorOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe("createEventStreamReader on recorded Bedrock streams", () => {
  const bodies = CASSETTES.flatMap((cassette) =>
    readCassetteBinaryBodies(cassette).map((body, index) => ({ name: `${cassette}#${index}`, body })),
  );

  it("finds the recorded bodies", () => {
    expect(bodies.map(({ name }) => name)).toEqual([
      `${CASSETTES[0]}#0`,
      `${CASSETTES[1]}#0`,
      `${CASSETTES[2]}#0`,
      `${CASSETTES[2]}#1`,
    ]);
  });

  it("decodes ConverseStream events: names from :event-type, payloads as sent", () => {
    const { events, boundary } = read([bodies[0]!.body]);
    expect(boundary).toBe(true);
    expect(events.map((event) => event.event)).toEqual([
      "messageStart",
      ...Array(29).fill("contentBlockDelta"),
      "contentBlockStop",
      "messageStop",
      "metadata",
    ]);
    expect(JSON.parse(events[0]!.data)).toMatchObject({ role: "assistant", p: expect.any(String) });
    const text = events
      .filter((event) => event.event === "contentBlockDelta")
      .map((event) => (JSON.parse(event.data) as { delta: { text: string } }).delta.text)
      .join("");
    expect(text).toMatch(/^The capital of France is Paris\. Paris is not only the capital city but also/);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ usage: { inputTokens: expect.any(Number) } });

    const thinking = read([bodies[1]!.body]).events;
    expect(thinking.some((event) => event.data.includes('"reasoningContent"'))).toBe(true);
    const tools = read([bodies[2]!.body]).events;
    expect(tools.find((event) => event.event === "contentBlockStart")?.data).toContain('"toolUse"');
  });

  it.each(bodies.map(({ name, body }) => [name, body] as const))(
    "%s: the same records whatever the chunking",
    (_name, body) => {
      const whole = read([body]);
      expect(whole.events.length).toBeGreaterThan(5);
      for (const size of [1, 7, 64, body.length]) expect(read(split(body, size))).toEqual(whole);
      for (let at = 1; at < body.length; at++) {
        expect(read([body.subarray(0, at), body.subarray(at)]).events).toEqual(whole.events);
      }
    },
  );

  it("reports a body cut inside a frame", () => {
    const body = bodies[0]!.body;
    const cut = read([body.subarray(0, body.length - 3)]);
    expect(cut.boundary).toBe(false);
    expect(cut.events.at(-1)?.event).toBe("messageStop");
    expect(read([]).boundary).toBe(true);
  });

  it("fails on a corrupted frame, and stays failed", () => {
    const body = Buffer.from(bodies[0]!.body);
    body[200] = (body[200] ?? 0) ^ 0x01;
    const events: FrameEvent[] = [];
    const reader = createEventStreamReader((event) => events.push(event));
    const failure = errorOf(() => reader.feedBytes(body));
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ code: "upstream_error" });
    expect((failure as Error).message).toMatch(/^the upstream event stream is corrupt: .*checksum/);
    expect(events.length).toBeGreaterThan(0);
    expect(() => reader.feedBytes(Buffer.from([0]))).toThrow(GatewayError);
    expect(reader.end()).toBe(false);
  });

  it("fails at once on bytes that are not an event stream", () => {
    for (const garbage of [
      '{"message":"The provided model identifier is invalid."}',
      "<html><body>502</body></html>",
    ]) {
      const reader = createEventStreamReader(() => {});
      expect(errorOf(() => reader.feedBytes(Buffer.from(garbage)))).toMatchObject({
        code: "upstream_error",
        message: expect.stringContaining("prelude checksum"),
      });
    }
  });
});

describe("createEventStreamReader with unwrapInvokeChunks", () => {
  /** A real Anthropic stream (SSE), re-framed as InvokeModelWithResponseStream sends it. */
  const anthropic = parseSseText(
    readCassetteBodies("pydantic-ai/anthropic/test_anthropic_model_thinking_part_stream.yaml")[0]!,
  ).map(({ event, data }) => ({ event, data }));

  it("emits the Anthropic events inside the chunks, named by their type", () => {
    expect(anthropic.length).toBeGreaterThan(5);
    const metrics =
      '{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":12,"outputTokenCount":34,"invocationLatency":900,"firstByteLatency":300}}';
    const body = Buffer.concat([
      ...anthropic.map((event) => invokeChunkFrame(event.data)),
      invokeChunkFrame(metrics),
    ]);
    for (const size of [1, 7, 64, body.length]) {
      const { events, boundary } = read(split(body, size), { unwrapInvokeChunks: true });
      expect(boundary).toBe(true);
      expect(events).toEqual([...anthropic, { event: "message_stop", data: metrics }]);
    }
  });

  it("drops a chunk without bytes or type, and leaves chunks alone when not asked", () => {
    const body = Buffer.concat([
      eventFrame("chunk", '{"p":"abc"}'),
      invokeChunkFrame('{"no_type":true}'),
      invokeChunkFrame('{"type":"ping"}'),
    ]);
    expect(read([body], { unwrapInvokeChunks: true }).events).toEqual([
      { event: "ping", data: '{"type":"ping"}' },
    ]);
    expect(read([body]).events.map((event) => event.event)).toEqual(["chunk", "chunk", "chunk"]);
  });

  it("fails on a chunk that is not JSON", () => {
    const reader = createEventStreamReader(() => {}, { unwrapInvokeChunks: true });
    expect(errorOf(() => reader.feedBytes(eventFrame("chunk", "not json")))).toMatchObject({
      code: "upstream_error",
    });
  });
});

describe("createEventStreamReader on exceptions", () => {
  it("keeps an exception frame's Bedrock type and message as the record (Converse)", () => {
    const body = Buffer.concat([
      eventFrame("messageStart", '{"role":"assistant"}'),
      exceptionFrame("throttlingException", { message: "Too many tokens, please wait before trying again." }),
    ]);
    for (const size of [1, 7, body.length]) {
      expect(read(split(body, size)).events).toEqual([
        { event: "messageStart", data: '{"role":"assistant"}' },
        {
          event: "throttlingException",
          data: '{"message":"Too many tokens, please wait before trying again."}',
        },
      ]);
    }
    expect(BEDROCK_STREAM_EXCEPTION_STATUS.throttlingException).toBe(429);
  });

  it("inside an InvokeModel stream, an exception is Anthropic's error event with the type of its status", () => {
    const events: FrameEvent[] = [];
    const reader = createEventStreamReader((event) => events.push(event), { unwrapInvokeChunks: true });
    reader.feedBytes(exceptionFrame("throttlingException", { message: "Too many tokens" }));
    reader.feedBytes(exceptionFrame("serviceUnavailableException", { message: "Busy" }));
    reader.feedBytes(exceptionFrame("modelStreamErrorException", { message: "Broke" }));
    expect(events.map((event) => [event.event, JSON.parse(event.data).error.type])).toEqual([
      ["error", "rate_limit_error"],
      ["error", "overloaded_error"],
      ["error", "api_error"],
    ]);
  });

  it("keeps the message of other exception shapes and of error messages", () => {
    const { events } = read([
      exceptionFrame("modelStreamErrorException", {
        message: "Model stream error",
        originalStatusCode: 500,
        originalMessage: "x",
      }),
      exceptionFrame("internalServerException", { Message: "Internal failure" }),
      errorFrame("InternalFailure", "The request processing has failed"),
    ]);
    expect(events.map((event) => [event.event, JSON.parse(event.data)])).toEqual([
      ["modelStreamErrorException", { message: "Model stream error" }],
      ["internalServerException", { message: "Internal failure" }],
      ["InternalFailure", { message: "The request processing has failed" }],
    ]);
  });
});

describe("createEventStreamReader: bounded frames", () => {
  it("refuses a frame longer than MAX_RECORD_BYTES as soon as its prelude is in, instead of buffering it", async () => {
    const { crc32 } = await import("node:zlib");
    const { MAX_RECORD_BYTES } = await import("./frame-reader.js");
    const prelude = Buffer.alloc(12);
    prelude.writeUInt32BE(MAX_RECORD_BYTES + 1, 0);
    prelude.writeUInt32BE(0, 4);
    prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
    const reader = createEventStreamReader(() => {});
    expect(errorOf(() => reader.feedBytes(prelude))).toMatchObject({
      code: "upstream_error",
      message: `the upstream event stream is corrupt: a frame of ${MAX_RECORD_BYTES + 1} bytes with 0 bytes of headers`,
    });
  });
});
