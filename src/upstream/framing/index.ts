import { createEventStreamReader, type EventStreamReaderOptions } from "./aws-event-stream.js";
import type { FrameEvent, FrameReader } from "./frame-reader.js";
import { createSseFrameReader } from "./sse.js";

export {
  BEDROCK_STREAM_EXCEPTION_STATUS,
  createEventStreamReader,
  type EventStreamReaderOptions,
} from "./aws-event-stream.js";
export type { FrameEvent, FrameReader } from "./frame-reader.js";
export { createSseFrameReader } from "./sse.js";

/** How an upstream stream's records are carried (DESIGN §9: wire = dialect + framing). */
export type Framing = "sse" | "aws-eventstream";

/** The reader for a framing; `unwrapInvokeChunks` applies to Bedrock InvokeModelWithResponseStream. */
export function createFrameReader(
  framing: Framing,
  onEvent: (event: FrameEvent) => void,
  options: EventStreamReaderOptions = {},
): FrameReader {
  return framing === "aws-eventstream"
    ? createEventStreamReader(onEvent, options)
    : createSseFrameReader(onEvent);
}
