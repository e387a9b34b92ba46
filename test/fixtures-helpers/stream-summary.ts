/** Test helpers: what a canonical event stream says, in a form easy to compare. */
import type { CanonicalFinish } from "../../src/canonical/finish-reason.js";
import type { CanonicalStreamEvent, StreamDecoder } from "../../src/canonical/stream-events.js";
import type { CanonicalUsage } from "../../src/canonical/usage.js";
import { parseSseText } from "../../src/dialects/sse.js";

export interface StreamSummary {
  id: string | undefined;
  model: string | undefined;
  text: string;
  reasoning: string;
  signatures: string[];
  redacted: string[];
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finish: CanonicalFinish | undefined;
  usage: CanonicalUsage | undefined;
  errors: string[];
}

export function summarize(events: CanonicalStreamEvent[]): StreamSummary {
  const summary: StreamSummary = {
    id: undefined,
    model: undefined,
    text: "",
    reasoning: "",
    signatures: [],
    redacted: [],
    toolCalls: [],
    finish: undefined,
    usage: undefined,
    errors: [],
  };
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for (const event of events) {
    if (event.type === "message-start") {
      summary.id = event.id;
      summary.model = event.model;
      summary.usage = event.usage ?? summary.usage;
    } else if (event.type === "text-delta" || event.type === "refusal-delta") summary.text += event.text;
    else if (event.type === "reasoning-delta") {
      if (event.kind === "text") summary.reasoning += event.text;
      else if (event.kind === "signature") summary.signatures.push(event.signature);
      else summary.redacted.push(event.data);
    } else if (event.type === "tool-call-start") {
      const call = { id: event.id, name: event.name, arguments: "" };
      calls.set(event.index, call);
      summary.toolCalls.push(call);
    } else if (event.type === "tool-call-delta") {
      const call = calls.get(event.index);
      if (call) call.arguments += event.arguments;
    } else if (event.type === "usage") summary.usage = event.usage;
    else if (event.type === "finish") summary.finish = event.finish;
    else if (event.type === "error") summary.errors.push(event.error.message);
  }
  return summary;
}

/** Feeds parsed payloads to a decoder and ends it. */
export function decodeAll(decoder: StreamDecoder, payloads: unknown[]): CanonicalStreamEvent[] {
  return [...payloads.flatMap((payload) => decoder.push(payload)), ...decoder.end()];
}

/** Feeds an SSE body (data fields) to a decoder and ends it. */
export function decodeSse(decoder: StreamDecoder, body: string): CanonicalStreamEvent[] {
  return [...parseSseText(body).flatMap((event) => decoder.pushData(event.data)), ...decoder.end()];
}
