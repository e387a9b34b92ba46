/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`, wire-formats.md §6.7), as Bedrock streams
 * every operation. Frames do not follow the body's chunks: bytes are buffered until a frame is whole, then
 * decoded by @smithy/eventstream-codec, which checks both CRCs. The prelude's CRC is checked as soon as its
 * 12 bytes are in, so a body that is not an event stream (an HTML error page, a JSON error) fails at once
 * rather than after waiting for a bogus length.
 *
 * Records:
 * - `:message-type` `event` → `{event: <:event-type>, data: <payload as UTF-8>}` (ConverseStream's
 *   `messageStart`, `contentBlockDelta`, … with their `"p"` padding left in place).
 * - With `unwrapInvokeChunks`, InvokeModelWithResponseStream's `chunk` events (`{"bytes": "<base64>"}`)
 *   become the Anthropic stream event inside: `{event: <its "type">, data: <its JSON text>}`, so the
 *   Anthropic SSE consumers read Bedrock unchanged. A chunk whose JSON has no `type` is dropped, as the
 *   Anthropic Bedrock SDK does.
 * - `:message-type` `exception` (`:exception-type`, payload `{"message"}`) and `error` (`:error-code`,
 *   `:error-message`): inside an InvokeModel stream, Anthropic's `error` event with the Anthropic type of the
 *   status Bedrock gives the same failure (`BEDROCK_STREAM_EXCEPTION_STATUS`: throttling → `rate_limit_error`);
 *   elsewhere `{event: <Bedrock's type>, data: '{"message":…}'}`, as the Converse decoder reads it.
 * A frame that fails its CRC, or bytes that are not frames, throw GatewayError("upstream_error").
 */
import { crc32 } from "node:zlib";
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { GatewayError } from "../../errors/index.js";
import { type FrameEvent, type FrameReader, MAX_RECORD_BYTES } from "./frame-reader.js";

export interface EventStreamReaderOptions {
  /** Emit the Anthropic events inside InvokeModelWithResponseStream's `chunk` events. */
  unwrapInvokeChunks?: boolean;
}

/** The status Bedrock answers with for each mid-stream exception type (§6.9), for the relay's error mapping. */
export const BEDROCK_STREAM_EXCEPTION_STATUS: Readonly<Record<string, number>> = {
  validationException: 400,
  modelTimeoutException: 408,
  modelStreamErrorException: 424,
  throttlingException: 429,
  internalServerException: 500,
  serviceUnavailableException: 503,
};

const PRELUDE_BYTES = 12;
const MIN_FRAME_BYTES = 16;
/** Bedrock's frames are small; this bounds what a corrupt or hostile length could make the reader buffer. */
const MAX_FRAME_BYTES = MAX_RECORD_BYTES;

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
  (text) => Buffer.from(text, "utf8"),
);

function corrupt(reason: string, cause?: unknown): GatewayError {
  return new GatewayError(
    "upstream_error",
    `the upstream event stream is corrupt: ${reason}`,
    cause === undefined ? {} : { cause },
  );
}

function stringHeader(headers: MessageHeaders, name: string): string | undefined {
  const header = headers[name];
  return header?.type === "string" ? header.value : undefined;
}

/** Anthropic's error type for a Bedrock exception's status, so Anthropic clients and decoders read it as theirs. */
function anthropicErrorType(bedrockType: string): string {
  const status = BEDROCK_STREAM_EXCEPTION_STATUS[bedrockType];
  if (status === 429) return "rate_limit_error";
  if (status === 503) return "overloaded_error";
  if (status === 408) return "timeout_error";
  if (status === 400) return "invalid_request_error";
  return "api_error";
}

/**
 * An exception frame as a record. Inside InvokeModel's stream the records are Anthropic's, so it becomes
 * Anthropic's `error` event with the matching Anthropic type; elsewhere (Converse) it keeps Bedrock's exception
 * type as the event name and its message as the data, as the AWS SDKs present it.
 */
function errorRecord(type: string, message: string, options: EventStreamReaderOptions): FrameEvent {
  if (options.unwrapInvokeChunks) {
    return {
      event: "error",
      data: JSON.stringify({ type: "error", error: { type: anthropicErrorType(type), message } }),
    };
  }
  return { event: type, data: JSON.stringify({ message }) };
}

/** The `message` of an exception payload (`{"message"}`, sometimes `{"Message"}`), else its text. */
function exceptionMessage(payload: string): string {
  try {
    const json = JSON.parse(payload) as { message?: unknown; Message?: unknown } | null;
    const message = json?.message ?? json?.Message;
    if (typeof message === "string") return message;
  } catch {}
  return payload;
}

function unwrapChunk(payload: string): FrameEvent | undefined {
  let bytes: unknown;
  try {
    bytes = (JSON.parse(payload) as { bytes?: unknown } | null)?.bytes;
  } catch (error) {
    throw corrupt("a chunk event's payload is not JSON", error);
  }
  if (typeof bytes !== "string") return undefined;
  const inner = Buffer.from(bytes, "base64").toString("utf8");
  let type: unknown;
  try {
    type = (JSON.parse(inner) as { type?: unknown } | null)?.type;
  } catch (error) {
    throw corrupt("a chunk event's bytes are not JSON", error);
  }
  return typeof type === "string" ? { event: type, data: inner } : undefined;
}

function toRecord(frame: Uint8Array, options: EventStreamReaderOptions): FrameEvent | undefined {
  let message: ReturnType<typeof codec.decode>;
  try {
    message = codec.decode(frame);
  } catch (error) {
    throw corrupt(error instanceof Error ? error.message : String(error), error);
  }
  const { headers } = message;
  const payload = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString(
    "utf8",
  );
  const messageType = stringHeader(headers, ":message-type") ?? "event";
  if (messageType === "exception") {
    const type = stringHeader(headers, ":exception-type") ?? "exception";
    return errorRecord(type, exceptionMessage(payload) || type, options);
  }
  if (messageType === "error") {
    const code = stringHeader(headers, ":error-code") ?? "error";
    return errorRecord(
      code,
      stringHeader(headers, ":error-message") ?? (exceptionMessage(payload) || code),
      options,
    );
  }
  if (messageType !== "event") return undefined;
  const event = stringHeader(headers, ":event-type");
  if (options.unwrapInvokeChunks && event === "chunk") return unwrapChunk(payload);
  return { event, data: payload };
}

export function createEventStreamReader(
  onEvent: (event: FrameEvent) => void,
  options: EventStreamReaderOptions = {},
): FrameReader {
  let chunks: Buffer[] = [];
  let buffered = 0;
  /** The length of the frame at the head of the buffer, once its prelude has been checked. */
  let frameBytes = 0;
  let failure: GatewayError | undefined;

  /** The buffer's first `count` bytes in one Buffer (merging chunks only when the first is too short). */
  function head(count: number): Buffer {
    if (chunks[0]!.length < count) chunks = [Buffer.concat(chunks, buffered)];
    return chunks[0]!;
  }

  function checkPrelude(): void {
    const prelude = head(PRELUDE_BYTES);
    const total = prelude.readUInt32BE(0);
    const headers = prelude.readUInt32BE(4);
    if (crc32(prelude.subarray(0, 8)) !== prelude.readUInt32BE(8)) {
      throw corrupt("the prelude checksum does not match (not an event stream?)");
    }
    if (total < MIN_FRAME_BYTES || total > MAX_FRAME_BYTES || headers > total - MIN_FRAME_BYTES) {
      throw corrupt(`a frame of ${total} bytes with ${headers} bytes of headers`);
    }
    frameBytes = total;
  }

  function drain(): void {
    while (true) {
      if (frameBytes === 0) {
        if (buffered < PRELUDE_BYTES) return;
        checkPrelude();
      }
      if (buffered < frameBytes) return;
      const all = head(frameBytes);
      const frame = all.subarray(0, frameBytes);
      const rest = all.subarray(frameBytes);
      chunks = rest.length > 0 ? [rest, ...chunks.slice(1)] : chunks.slice(1);
      buffered -= frameBytes;
      frameBytes = 0;
      const record = toRecord(frame, options);
      if (record) onEvent(record);
    }
  }

  return {
    feedBytes(chunk) {
      if (failure) throw failure;
      if (chunk.length === 0) return;
      chunks.push(chunk);
      buffered += chunk.length;
      try {
        drain();
      } catch (error) {
        // A corrupt body stays failed; an exception from the callback leaves the reader as it was.
        if (error instanceof GatewayError && error.code === "upstream_error") failure = error;
        throw error;
      }
    },
    end: () => failure === undefined && buffered === 0,
  };
}
