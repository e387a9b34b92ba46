import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface ServerSentEvent {
  event?: string | undefined;
  id?: string | undefined;
  data: string;
}

/** Bounds one buffered line or event, so a stream without line breaks cannot eat memory. */
const DEFAULT_MAX_EVENT_CHARS = 16 * 1024 * 1024;

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
    maxBufferSize: options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS,
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
