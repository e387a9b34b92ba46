/**
 * Bedrock ConverseStream → canonical events (wire-formats §6.6, §8.5). Events come from AWS event-stream frames:
 * either as one object `{<eventType>: payload}` (the AWS SDK's shape and the recordings', through `push` or
 * `pushData`) or as the frame's type beside its JSON payload (`pushEvent`). Text and reasoning blocks have no
 * contentBlockStart: their first delta opens them. Usage comes in `metadata` AFTER `messageStop`, so the finish
 * is held until metadata arrives (or the stream ends). Exceptions (`throttlingException`…) become error events.
 */
import type { CanonicalFinish } from "../../canonical/finish-reason.js";
import type { CanonicalStreamEvent, StreamDecoder } from "../../canonical/stream-events.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { streamError } from "../openai/openai-stream-decoder.js";
import { converseErrorToCanonical } from "./converse-errors.js";
import { converseStopToCanonical } from "./converse-finish-reason.js";
import { readConverseUsage } from "./converse-usage.js";

const eventTypes: ReadonlySet<string> = new Set([
  "messageStart",
  "contentBlockStart",
  "contentBlockDelta",
  "contentBlockStop",
  "messageStop",
  "metadata",
]);

/** `internalServerException`, `throttlingException`… as event types, or an exception frame's `:exception-type`. */
const isException = (type: string): boolean => /exception$/i.test(type);

/** What ConverseStream leaves out: the model is in the URL, the only id is the `x-amzn-requestid` header. */
export interface ConverseStreamContext {
  model?: string;
  requestId?: string;
}

export function createConverseStreamDecoder(context: ConverseStreamContext = {}): StreamDecoder {
  let started = false;
  let failed = false;
  let finished = false;
  let metadataSeen = false;
  let heldFinish: CanonicalFinish | undefined;
  const opened = new Set<number>();

  const fail = (error: Extract<CanonicalStreamEvent, { type: "error" }>): CanonicalStreamEvent[] => {
    failed = true;
    return [error];
  };

  const emitFinish = (finish: CanonicalFinish, out: CanonicalStreamEvent[]): void => {
    finished = true;
    heldFinish = undefined;
    out.push({ type: "finish", finish });
  };

  const blockDelta = (index: number, delta: JsonObject, out: CanonicalStreamEvent[]): void => {
    // An empty delta says nothing, except as the first event of a block, which it opens.
    const first = !opened.has(index);
    const before = out.length;
    if (typeof delta.text === "string") {
      if (first || delta.text !== "") out.push({ type: "text-delta", index, text: delta.text });
    } else if (isObject(delta.toolUse)) {
      const input = delta.toolUse.input;
      if (typeof input === "string" && input !== "")
        out.push({ type: "tool-call-delta", index, arguments: input });
    } else if (isObject(delta.reasoningContent)) {
      const reasoning = delta.reasoningContent;
      if (typeof reasoning.text === "string" && (first || reasoning.text !== ""))
        out.push({ type: "reasoning-delta", index, kind: "text", text: reasoning.text });
      if (typeof reasoning.signature === "string")
        out.push({ type: "reasoning-delta", index, kind: "signature", signature: reasoning.signature });
      if (typeof reasoning.redactedContent === "string")
        out.push({ type: "reasoning-delta", index, kind: "redacted", data: reasoning.redactedContent });
    }
    // citation deltas and newer kinds have no canonical event.
    if (out.length > before) opened.add(index);
  };

  const handle = (type: string, payload: unknown): CanonicalStreamEvent[] => {
    if (failed) return [];
    if (isException(type))
      return fail({ type: "error", error: converseErrorToCanonical(200, payload, type) });
    if (!eventTypes.has(type)) return [];
    if (!isObject(payload))
      return fail({ type: "error", error: streamError(`malformed upstream ${type} event`) });
    const out: CanonicalStreamEvent[] = [];
    if (!started) {
      started = true;
      out.push({ type: "message-start", id: context.requestId ?? "", model: context.model ?? "" });
    }
    const index = typeof payload.contentBlockIndex === "number" ? payload.contentBlockIndex : 0;
    switch (type) {
      case "contentBlockStart": {
        const start: JsonObject = isObject(payload.start) ? payload.start : {};
        if (isObject(start.toolUse)) {
          opened.add(index);
          out.push({
            type: "tool-call-start",
            index,
            id: String(start.toolUse.toolUseId ?? ""),
            name: String(start.toolUse.name ?? ""),
          });
        }
        break;
      }
      case "contentBlockDelta":
        if (isObject(payload.delta)) blockDelta(index, payload.delta, out);
        break;
      case "contentBlockStop":
        out.push({ type: "content-block-stop", index });
        break;
      case "messageStop": {
        const finish = converseStopToCanonical(payload.stopReason, payload.additionalModelResponseFields);
        if (metadataSeen) emitFinish(finish, out);
        else heldFinish = finish;
        break;
      }
      case "metadata": {
        metadataSeen = true;
        const usage = readConverseUsage(payload);
        if (usage) out.push({ type: "usage", usage });
        if (heldFinish) emitFinish(heldFinish, out);
        break;
      }
      default:
      // messageStart: the message-start above is all it says.
    }
    return out;
  };

  const push = (event: unknown): CanonicalStreamEvent[] => {
    if (failed) return [];
    if (!isObject(event))
      return fail({ type: "error", error: streamError("malformed upstream stream event") });
    for (const [key, value] of Object.entries(event))
      if (eventTypes.has(key) || isException(key)) return handle(key, value);
    // Event types newer than this decoder.
    return [];
  };

  return {
    push,
    pushData(data) {
      try {
        return push(JSON.parse(data));
      } catch {
        return push(undefined);
      }
    },
    pushEvent(type, data) {
      let payload: unknown;
      try {
        payload = JSON.parse(data);
      } catch {
        // An exception's text is still its message; any other event must be JSON.
        payload = isException(type) ? data : undefined;
      }
      return handle(type, payload);
    },
    end() {
      if (failed || finished) return [];
      const out: CanonicalStreamEvent[] = [];
      // messageStop came but metadata did not: the finish, without usage.
      if (heldFinish) {
        emitFinish(heldFinish, out);
        return out;
      }
      failed = true;
      return [{ type: "error", error: streamError("upstream stream ended before messageStop") }];
    },
  };
}
