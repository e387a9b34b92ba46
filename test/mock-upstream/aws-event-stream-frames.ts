/**
 * AWS event-stream frames for tests and mock upstreams: the raw Bedrock stream bodies recorded in the
 * pydantic-ai cassettes (`!!binary`, base64 of the wire bytes), and frames encoded with the same codec
 * Bedrock's SDKs use, for events, InvokeModelWithResponseStream chunks, exceptions and errors.
 * Test-only: synchronous reads are fine here.
 */
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { readFixtureText } from "../fixtures-helpers/fixtures.js";

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
  (text) => Buffer.from(text, "utf8"),
);

/** The `!!binary` block scalars written as `string: !!binary |` (the stream bodies), decoded, in order. */
export function readCassetteBinaryBodies(relative: string): Buffer[] {
  const lines = readFixtureText(relative).split("\n");
  const bodies: Buffer[] = [];
  for (let index = 0; index < lines.length; index++) {
    const header = /^(\s*)string: !!binary \|[+-]?$/.exec(lines[index] ?? "");
    if (!header) continue;
    const keyIndent = header[1]?.length ?? 0;
    let base64 = "";
    let next = index + 1;
    for (; next < lines.length; next++) {
      const line = lines[next] ?? "";
      if (line.trim() === "") continue;
      if (line.length - line.trimStart().length <= keyIndent) break;
      base64 += line.trim();
    }
    bodies.push(Buffer.from(base64, "base64"));
    index = next - 1;
  }
  return bodies;
}

function frame(headers: Record<string, string>, payload: string): Buffer {
  const typed: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) typed[name] = { type: "string", value };
  return Buffer.from(codec.encode({ headers: typed, body: Buffer.from(payload, "utf8") }));
}

/** An event frame in Bedrock's header order (`:event-type`, `:content-type`, `:message-type`). */
export function eventFrame(eventType: string, payload: string): Buffer {
  return frame(
    { ":event-type": eventType, ":content-type": "application/json", ":message-type": "event" },
    payload,
  );
}

/** An InvokeModelWithResponseStream `chunk`: the Anthropic event JSON, base64 in `bytes`, with `p` padding. */
export function invokeChunkFrame(anthropicEventJson: string, padding = "abcdefghij"): Buffer {
  const bytes = Buffer.from(anthropicEventJson, "utf8").toString("base64");
  return eventFrame("chunk", JSON.stringify({ bytes, p: padding }));
}

/** A mid-stream exception (`throttlingException`, `modelStreamErrorException`, …). */
export function exceptionFrame(exceptionType: string, payload: Record<string, unknown>): Buffer {
  return frame(
    { ":exception-type": exceptionType, ":content-type": "application/json", ":message-type": "exception" },
    JSON.stringify(payload),
  );
}

/** An `error` message (`:error-code`, `:error-message`, empty payload). */
export function errorFrame(code: string, message: string): Buffer {
  return frame({ ":error-code": code, ":error-message": message, ":message-type": "error" }, "");
}
