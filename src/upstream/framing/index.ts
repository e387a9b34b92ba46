import { createEventStreamReader } from "./aws-event-stream.js";
import type { FrameEvent, FrameReader } from "./frame-reader.js";
import { createSseFrameReader } from "./sse.js";

export {
  BEDROCK_STREAM_EXCEPTION_STATUS,
  createEventStreamReader,
  type EventStreamReaderOptions,
} from "./aws-event-stream.js";
export type { FrameEvent, FrameReader } from "./frame-reader.js";
export { createSseFrameReader } from "./sse.js";

/**
 * How an upstream stream's records are carried (DESIGN §9: wire = dialect + framing): server-sent events, AWS
 * event-stream frames (Bedrock ConverseStream), or AWS frames whose `chunk` payloads carry base64 JSON events
 * (Bedrock InvokeModelWithResponseStream: Anthropic's events inside).
 */
export type Framing = "sse" | "aws-event-stream" | "aws-invoke-stream";

const readers = {
  sse: createSseFrameReader,
  "aws-event-stream": (onEvent) => createEventStreamReader(onEvent),
  "aws-invoke-stream": (onEvent) => createEventStreamReader(onEvent, { unwrapInvokeChunks: true }),
} satisfies Record<Framing, (onEvent: (event: FrameEvent) => void) => FrameReader>;

export function createFrameReader(framing: Framing, onEvent: (event: FrameEvent) => void): FrameReader {
  return readers[framing](onEvent);
}
