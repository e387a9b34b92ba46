/**
 * Server-sent events: bytes → events through eventsource-parser (comments such as OpenRouter's
 * `: OPENROUTER PROCESSING` keep-alives are dropped by it), and events → exact SSE text.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type SseEvent = EventSourceMessage;

export interface SseReader {
  /** Feeds decoded text; complete events are delivered to the callback synchronously. */
  feed(text: string): void;
  /** Feeds raw bytes (UTF-8 sequences split across chunks are handled). */
  feedBytes(bytes: Uint8Array): void;
}

export interface SseReaderOptions {
  /**
   * The most characters one unfinished line or event may hold; past it `onOverflow` runs and the reader stops
   * (eventsource-parser then throws on every feed). Without it, a body without newlines is buffered whole.
   */
  maxRecordChars?: number;
  onOverflow?: () => void;
}

export function createSseReader(
  onEvent: (event: SseEvent) => void,
  options: SseReaderOptions = {},
): SseReader {
  const { maxRecordChars, onOverflow } = options;
  const parser = createParser(
    maxRecordChars === undefined
      ? { onEvent }
      : {
          onEvent,
          maxBufferSize: maxRecordChars,
          onError: (error) => {
            if (error.type === "max-buffer-size-exceeded") onOverflow?.();
          },
        },
  );
  // Made on the first bytes: the stream relay feeds text it decoded itself, and a held stream would keep an unused decoder.
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  return {
    feed: (text) => parser.feed(text),
    feedBytes: (bytes) => {
      decoder ??= new TextDecoder();
      parser.feed(decoder.decode(bytes, { stream: true }));
    },
  };
}

/** All events of a complete SSE body. */
export function parseSseText(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const reader = createSseReader((event) => events.push(event));
  reader.feed(text);
  // A body that lacks the final blank line still ends its last event.
  reader.feed("\n\n");
  return events;
}

/** One SSE record: `event: <name>\n` (when named) then `data: <data>\n\n`. `data` must be one line (JSON). */
export function formatSse(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
