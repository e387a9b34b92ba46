/**
 * Wire = dialect + framing (DESIGN §9): a frame reader turns an upstream body's bytes into named records,
 * whatever carried them (server-sent events, AWS event-stream frames), so the stream relay and the dialect
 * decoders see one shape. The relay feeds each upstream chunk as it arrives and asks at the end whether
 * the body stopped between records.
 */

/**
 * The largest record a stream may carry (one SSE event, one event-stream frame). Real records are a few
 * kilobytes (a tool call's whole arguments, a base64 image from an image model at most a few MiB); a body that
 * never ends its record (no newline, a bogus frame length) would otherwise be buffered whole, for ever.
 */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** One upstream record: `event` is the SSE event name or the event-stream `:event-type`. */
export interface FrameEvent {
  event?: string | undefined;
  data: string;
}

export interface FrameReader {
  /** Complete records are delivered to the reader's callback synchronously, in order. Throws on a corrupt body. */
  feedBytes(chunk: Buffer): void;
  /** The body ended: true when it ended on a frame boundary. */
  end(): boolean;
}
