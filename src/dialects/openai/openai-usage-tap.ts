/**
 * Usage taps for OpenAI-dialect pass-through: the bytes go to the client unchanged, and these read usage
 * on the side. Chunks without a `"usage"` key are not even parsed.
 */
import type { CanonicalUsage, UsageTap } from "../../canonical/usage.js";
import { isObject } from "../../canonical/validate.js";
import { openaiUsageToCanonical } from "./openai-usage.js";

/** Usage of a non-streamed chat, completions or embeddings body. */
export function readOpenAIUsage(body: unknown): CanonicalUsage | undefined {
  return isObject(body) ? openaiUsageToCanonical(body.usage) : undefined;
}

export function createOpenAIUsageTap(): UsageTap {
  let usage: CanonicalUsage | undefined;
  const onEvent = (event: unknown): void => {
    if (!isObject(event) || !isObject(event.usage)) return;
    usage = openaiUsageToCanonical(event.usage) ?? usage;
  };
  return {
    onEvent,
    onData(data) {
      if (!data.includes('"usage"') || data.includes('"usage":null}') || data.includes('"usage": null}'))
        return;
      try {
        onEvent(JSON.parse(data));
      } catch {
        // Not JSON: the relay forwards it anyway; there is no usage to read.
      }
    },
    result: () => usage,
  };
}

/** A finish reason that is a string (`"finish_reason":null` on every other chunk does not count). */
const finishReason = /"finish_reason"\s*:\s*"/;

/**
 * True for a record that completes an OpenAI stream: `[DONE]`, or a chunk with its finish reason (some
 * compatible servers end without `[DONE]`). A stream that closes before either was cut short.
 */
export function openaiStreamEnds(_event: string | undefined, data: string): boolean {
  return data === "[DONE]" || finishReason.test(data);
}
