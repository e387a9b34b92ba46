/**
 * Property-based fuzzing (fast-check) of the upstream stream path: bytes (arbitrary ones, and recorded streams
 * with bytes changed) split at arbitrary points, through the frame reader of their framing (SSE, AWS
 * event-stream) and each dialect's decoder. A corrupt body may throw a GatewayError from the frame reader;
 * nothing else may throw, and every call returns (a hang fails the test's timeout). On failure fast-check
 * prints the seed and the shrunk counterexample.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StreamDecoder } from "../../src/canonical/stream-events.js";
import { GatewayError } from "../../src/errors/index.js";
import { translators } from "../../src/proxy/codecs.js";
import { createFrameReader, type Framing } from "../../src/upstream/framing/index.js";
import { readHadrian } from "../fixtures-helpers/fixtures.js";
import { eventFrame } from "../mock-upstream/aws-event-stream-frames.js";
import { fuzzRuns } from "./fuzz-inputs.js";

type ProviderDialect = keyof typeof translators;

/** Recorded streams as the bytes an upstream sends, by dialect and framing. */
function sse(relative: string): Buffer {
  const chunks = readHadrian(relative).response.chunks ?? [];
  return Buffer.from(chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join(""));
}

function eventStream(relative: string): Buffer {
  const recorded = readHadrian(relative) as unknown as {
    response: { events: Array<{ event_type: string; payload: unknown }> };
  };
  return Buffer.concat(
    recorded.response.events.map((event) => eventFrame(event.event_type, JSON.stringify(event.payload))),
  );
}

const streams: Array<{ dialect: ProviderDialect; framing: Framing; bytes: Buffer }> = [
  { dialect: "openai", framing: "sse", bytes: sse("hadrian/openai/tool_call_streaming.json") },
  { dialect: "openai", framing: "sse", bytes: sse("hadrian/openai/reasoning_streaming.json") },
  { dialect: "anthropic", framing: "sse", bytes: sse("hadrian/anthropic/tool_call_streaming.json") },
  { dialect: "anthropic", framing: "sse", bytes: sse("hadrian/anthropic/thinking_streaming.json") },
  { dialect: "gemini", framing: "sse", bytes: sse("hadrian/vertex/tool_call_streaming.json") },
  {
    dialect: "bedrock-converse",
    framing: "aws-event-stream",
    bytes: eventStream("hadrian/bedrock/tool_call_streaming.json"),
  },
];

/** Feeds `bytes` in pieces cut at `cuts` through the framing's reader into a fresh decoder, then ends both. */
function decode(dialect: ProviderDialect, framing: Framing, bytes: Buffer, cuts: number[]): void {
  const decoder: StreamDecoder = translators[dialect].streamDecoder({ model: "m" });
  const reader = createFrameReader(framing, (record) => {
    if (record.event !== undefined && decoder.pushEvent) decoder.pushEvent(record.event, record.data);
    else decoder.pushData(record.data);
  });
  try {
    let start = 0;
    for (const cut of [...cuts.map((at) => at % (bytes.length + 1))].sort((a, b) => a - b)) {
      reader.feedBytes(bytes.subarray(start, Math.max(start, cut)));
      start = Math.max(start, cut);
    }
    reader.feedBytes(bytes.subarray(start));
    reader.end();
  } catch (error) {
    // A corrupt body is the frame reader's to report, as an upstream error.
    if (!(error instanceof GatewayError)) throw error;
  }
  decoder.end();
}

const cuts = fc.array(fc.nat(), { maxLength: 8 });

describe("stream decoders never crash on garbage", () => {
  for (const dialect of Object.keys(translators) as ProviderDialect[]) {
    const framing: Framing = dialect === "bedrock-converse" ? "aws-event-stream" : "sse";
    it(`${dialect}: arbitrary bytes, split anywhere`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), cuts, (bytes, at) =>
          decode(dialect, framing, Buffer.from(bytes), at),
        ),
        { numRuns: fuzzRuns },
      );
    });

    it(`${dialect}: arbitrary JSON records`, () => {
      const record = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
        fc.string(),
      );
      fc.assert(
        fc.property(fc.array(record, { maxLength: 6 }), cuts, (records, at) => {
          const bytes =
            framing === "sse"
              ? Buffer.from(records.map((data) => `data: ${data.replace(/\n/g, " ")}\n\n`).join(""))
              : Buffer.concat(records.map((data) => eventFrame("contentBlockDelta", data)));
          decode(dialect, framing, bytes, at);
        }),
        { numRuns: fuzzRuns },
      );
    });
  }

  it("recorded streams with bytes changed, split anywhere", () => {
    for (const stream of streams) expect(stream.bytes.length).toBeGreaterThan(200);
    const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), cut: fc.boolean() });
    fc.assert(
      fc.property(
        fc.constantFrom(...streams),
        fc.array(edit, { minLength: 1, maxLength: 6 }),
        cuts,
        (stream, edits, at) => {
          let bytes = Buffer.from(stream.bytes);
          for (const { at: position, byte, cut } of edits) {
            const index = position % (bytes.length + 1);
            bytes = cut
              ? Buffer.concat([bytes.subarray(0, index), bytes.subarray(index + 1)])
              : Buffer.concat([bytes.subarray(0, index), Buffer.from([byte]), bytes.subarray(index)]);
          }
          decode(stream.dialect, stream.framing, bytes, at);
        },
      ),
      { numRuns: fuzzRuns },
    );
  });
});
