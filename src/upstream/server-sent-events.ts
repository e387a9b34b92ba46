import { createParser, type EventSourceMessage } from "eventsource-parser";
import { MAX_RECORD_BYTES } from "./framing/frame-reader.js";

export interface ServerSentEvent {
  event?: string | undefined;
  id?: string | undefined;
  data: string;
}

/**
 * Bytes → server-sent events, for providers that stream SSE (OpenAI, Anthropic, Gemini).
 * Errors of the body (timeouts, resets) pass through unchanged; a final event without its
 * blank line is still delivered when the stream ends.
 */
export async function* readServerSentEvents(
  body: AsyncIterable<Uint8Array>,
  options: { maxEventChars?: number } = {},
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const pending: ServerSentEvent[] = [];
  let overflow = false;
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      pending.push(message);
    },
    onError: (error) => {
      if (error.type === "max-buffer-size-exceeded") overflow = true;
    },
    // The bound every upstream stream reader shares, so a stream without line breaks cannot eat memory.
    maxBufferSize: options.maxEventChars ?? MAX_RECORD_BYTES,
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (overflow) throw new Error("server-sent event exceeds the size limit");
    if (pending.length > 0) {
      // Yielded after the whole chunk is parsed; the array is reused for the next chunk.
      for (let index = 0; index < pending.length; index++) yield pending[index]!;
      pending.length = 0;
    }
  }
  // Providers sometimes end without the final blank line; deliver that event rather than drop it.
  parser.feed(`${decoder.decode()}\n\n`);
  for (const event of pending) yield event;
}
