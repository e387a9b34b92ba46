/**
 * Anthropic Messages stream → canonical events. A block's content_block_start becomes its first delta
 * (possibly empty), so an encoder can reopen the same block. Usage: message_start gives the prompt side,
 * message_delta is cumulative and may restate input_tokens (wire-formats §3.8): later values win.
 */
import type { CanonicalStreamEvent, StreamDecoder } from "../../canonical/stream-events.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { streamError } from "../openai/openai-stream-decoder.js";
import { anthropicErrorToCanonical } from "./anthropic-errors.js";
import { anthropicStopToCanonical } from "./anthropic-finish-reason.js";
import { anthropicUsageToCanonical, mergeAnthropicUsage } from "./anthropic-usage.js";

export function createAnthropicStreamDecoder(): StreamDecoder {
  let rawUsage: JsonObject | undefined;
  let finished = false;
  let failed = false;

  const blockStart = (index: number, block: JsonObject, out: CanonicalStreamEvent[]): void => {
    switch (block.type) {
      case "text":
        out.push({ type: "text-delta", index, text: typeof block.text === "string" ? block.text : "" });
        return;
      case "thinking":
        out.push({
          type: "reasoning-delta",
          index,
          kind: "text",
          text: typeof block.thinking === "string" ? block.thinking : "",
        });
        return;
      case "redacted_thinking":
        out.push({ type: "reasoning-delta", index, kind: "redacted", data: String(block.data ?? "") });
        return;
      case "tool_use": {
        out.push({
          type: "tool-call-start",
          index,
          id: String(block.id ?? ""),
          name: String(block.name ?? ""),
        });
        // Input normally streams as input_json_delta; a block that arrives complete carries it here.
        if (isObject(block.input) && Object.keys(block.input).length > 0) {
          out.push({ type: "tool-call-delta", index, arguments: JSON.stringify(block.input) });
        }
        return;
      }
      default:
      // Server-tool and other new blocks: nothing canonical to say (their stop is harmless).
    }
  };

  const blockDelta = (index: number, delta: JsonObject, out: CanonicalStreamEvent[]): void => {
    switch (delta.type) {
      case "text_delta":
        // Empty deltas say nothing (the block start already opened the block).
        if (typeof delta.text === "string" && delta.text !== "")
          out.push({ type: "text-delta", index, text: delta.text });
        return;
      case "input_json_delta":
        if (typeof delta.partial_json === "string")
          out.push({ type: "tool-call-delta", index, arguments: delta.partial_json });
        return;
      case "thinking_delta":
        if (typeof delta.thinking === "string" && delta.thinking !== "")
          out.push({ type: "reasoning-delta", index, kind: "text", text: delta.thinking });
        return;
      case "signature_delta":
        if (typeof delta.signature === "string")
          out.push({ type: "reasoning-delta", index, kind: "signature", signature: delta.signature });
        return;
      default:
      // citations_delta and newer delta types are ignored.
    }
  };

  const push = (event: unknown): CanonicalStreamEvent[] => {
    const out: CanonicalStreamEvent[] = [];
    if (failed) return out;
    if (!isObject(event)) {
      failed = true;
      return [{ type: "error", error: streamError("malformed upstream stream event") }];
    }
    const index = typeof event.index === "number" ? event.index : 0;
    switch (event.type) {
      case "message_start": {
        const message: JsonObject = isObject(event.message) ? event.message : {};
        rawUsage = mergeAnthropicUsage(undefined, message.usage);
        const start: CanonicalStreamEvent = {
          type: "message-start",
          id: String(message.id ?? ""),
          model: String(message.model ?? ""),
        };
        const usage = anthropicUsageToCanonical(rawUsage);
        if (usage) start.usage = usage;
        out.push(start);
        break;
      }
      case "content_block_start":
        if (isObject(event.content_block)) blockStart(index, event.content_block, out);
        break;
      case "content_block_delta":
        if (isObject(event.delta)) blockDelta(index, event.delta, out);
        break;
      case "content_block_stop":
        out.push({ type: "content-block-stop", index });
        break;
      case "message_delta": {
        rawUsage = mergeAnthropicUsage(rawUsage, event.usage);
        const usage = anthropicUsageToCanonical(rawUsage);
        if (usage) out.push({ type: "usage", usage });
        const delta: JsonObject = isObject(event.delta) ? event.delta : {};
        if (delta.stop_reason !== undefined && delta.stop_reason !== null) {
          finished = true;
          out.push({
            type: "finish",
            finish: anthropicStopToCanonical(delta.stop_reason, delta.stop_sequence),
          });
        }
        break;
      }
      case "error":
        failed = true;
        out.push({ type: "error", error: anthropicErrorToCanonical(200, event) });
        break;
      default:
      // ping, message_stop and unknown new event types.
    }
    return out;
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
    end() {
      if (finished || failed) return [];
      failed = true;
      return [{ type: "error", error: streamError("upstream stream ended before message_delta") }];
    },
  };
}
