/**
 * Server-sent events as a FrameReader, over the dialects' SSE reader (eventsource-parser: comments dropped,
 * `data:` lines joined, CRLF handled). `end()` delivers a last event that lacks its blank line, as the relay
 * always has, and reports whether the body had stopped on a record boundary.
 */
import { createSseReader } from "../../dialects/sse.js";
import { GatewayError } from "../../errors/index.js";
import { type FrameEvent, type FrameReader, MAX_RECORD_BYTES } from "./frame-reader.js";

/** True when `tail` (the last characters fed) ends with a blank line: two line terminators (`\r\n`, `\n`, `\r`). */
function endsWithBlankLine(tail: string): boolean {
  let rest = tail;
  for (let terminators = 0; terminators < 2; terminators++) {
    if (rest.endsWith("\r\n")) rest = rest.slice(0, -2);
    else if (rest.endsWith("\n") || rest.endsWith("\r")) rest = rest.slice(0, -1);
    else return false;
  }
  return true;
}

function tooLarge(): GatewayError {
  return new GatewayError(
    "upstream_error",
    `the upstream stream sent a record larger than ${MAX_RECORD_BYTES / 1024 / 1024} MiB without ending it`,
  );
}

export function createSseFrameReader(onEvent: (event: FrameEvent) => void): FrameReader {
  let failure: GatewayError | undefined;
  const reader = createSseReader(onEvent, {
    maxRecordChars: MAX_RECORD_BYTES,
    onOverflow: () => {
      failure = tooLarge();
    },
  });
  const decoder = new TextDecoder();
  let tail = "";
  let fed = false;
  const feed = (text: string) => {
    if (text === "") return;
    fed = true;
    tail = text.length >= 4 ? text.slice(-4) : (tail + text).slice(-4);
    if (failure) throw failure;
    reader.feed(text);
    // The parser reports the overflow to its callback and drops the record; the body is failed here.
    if (failure) throw failure;
  };
  return {
    feedBytes: (chunk) => feed(decoder.decode(chunk, { stream: true })),
    end() {
      // Bytes of an unfinished UTF-8 sequence come out as U+FFFD: not a boundary.
      feed(decoder.decode());
      const boundary = !fed || endsWithBlankLine(tail);
      reader.feed("\n\n");
      return boundary;
    },
  };
}
