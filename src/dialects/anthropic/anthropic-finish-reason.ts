import type { CanonicalFinish, UnifiedFinishReason } from "../../canonical/finish-reason.js";
import { ownEntry } from "../../canonical/validate.js";

// wire-formats §3.7 and §8.3. `pause_turn` counts as a stop for other dialects; Anthropic clients get it back raw.
const anthropicReasons: Record<string, UnifiedFinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

export function anthropicStopToCanonical(raw: unknown, stopSequence?: unknown): CanonicalFinish {
  if (typeof raw !== "string") return { unified: "other", raw: undefined };
  const finish: CanonicalFinish = { unified: ownEntry(anthropicReasons, raw) ?? "other", raw };
  if (typeof stopSequence === "string") finish.stopSequence = stopSequence;
  return finish;
}

const fromUnified: Record<UnifiedFinishReason, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "refusal",
  error: "end_turn",
  other: "end_turn",
};

/** The Anthropic `stop_reason`: the raw value when it is Anthropic's (or Bedrock's, same words) and agrees. */
export function canonicalFinishToAnthropic(finish: CanonicalFinish): string {
  if (finish.raw !== undefined && ownEntry(anthropicReasons, finish.raw) === finish.unified)
    return finish.raw;
  if (finish.unified === "stop" && finish.stopSequence !== undefined) return "stop_sequence";
  return fromUnified[finish.unified];
}
