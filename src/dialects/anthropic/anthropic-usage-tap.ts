/** Usage tap for Anthropic-dialect pass-through (see openai-usage-tap.ts); only message_start/_delta are parsed. */
import type { CanonicalUsage, UsageTap } from "../../canonical/usage.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { anthropicUsageToCanonical, mergeAnthropicUsage } from "./anthropic-usage.js";

export function readAnthropicUsage(body: unknown): CanonicalUsage | undefined {
  return isObject(body) ? anthropicUsageToCanonical(body.usage) : undefined;
}

export function createAnthropicUsageTap(): UsageTap {
  let raw: JsonObject | undefined;
  const onEvent = (event: unknown): void => {
    if (!isObject(event)) return;
    if (event.type === "message_start" && isObject(event.message))
      raw = mergeAnthropicUsage(raw, event.message.usage);
    else if (event.type === "message_delta") raw = mergeAnthropicUsage(raw, event.usage);
  };
  return {
    onEvent,
    onData(data) {
      if (!data.includes("message_start") && !data.includes("message_delta")) return;
      try {
        onEvent(JSON.parse(data));
      } catch {
        // Not JSON: nothing to read.
      }
    },
    result: () => (raw === undefined ? undefined : anthropicUsageToCanonical(raw)),
  };
}

/** Matches the record's own `type`; a text delta quoting it has its quotes escaped. */
const messageStop = /"type"\s*:\s*"message_stop"/;

/**
 * True for the record that completes an Anthropic stream: `message_stop` (SSE, Vertex, Bedrock InvokeModel). Those
 * records all carry their event name; the data is searched only for a record without one.
 */
export function anthropicStreamEnds(event: string | undefined, data: string): boolean {
  return event !== undefined ? event === "message_stop" : messageStop.test(data);
}
