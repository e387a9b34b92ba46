import type { CanonicalFinish, UnifiedFinishReason } from "../../canonical/finish-reason.js";
import { isObject, ownEntry } from "../../canonical/validate.js";

// wire-formats §6.5 and §8.3. A guardrail or content filter that stopped the answer is a content filter; output
// Bedrock could not read as a message or a tool call is an error.
const converseReasons: Record<string, UnifiedFinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  guardrail_intervened: "content_filter",
  content_filtered: "content_filter",
  malformed_model_output: "error",
  malformed_tool_use: "error",
};

/**
 * A Converse `stopReason`. Claude's matched stop sequence comes back in `additionalModelResponseFields` when the
 * request asked for it: `stop_sequence` in a response, `delta.stop_sequence` in a stream's messageStop.
 */
export function converseStopToCanonical(raw: unknown, additionalFields?: unknown): CanonicalFinish {
  if (typeof raw !== "string") return { unified: "other", raw: undefined };
  const finish: CanonicalFinish = { unified: ownEntry(converseReasons, raw) ?? "other", raw };
  if (isObject(additionalFields)) {
    const delta = isObject(additionalFields.delta) ? additionalFields.delta : {};
    const sequence = additionalFields.stop_sequence ?? delta.stop_sequence;
    if (typeof sequence === "string") finish.stopSequence = sequence;
  }
  return finish;
}
