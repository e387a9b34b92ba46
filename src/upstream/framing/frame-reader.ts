/**
 * Wire = dialect + framing (DESIGN §9): a frame reader turns an upstream body's bytes into named records,
 * whatever carried them (server-sent events, AWS event-stream frames), so the stream relay and the dialect
 * decoders see one shape. The relay feeds each upstream chunk as it arrives and asks at the end whether
 * the body stopped between records.
 */

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
