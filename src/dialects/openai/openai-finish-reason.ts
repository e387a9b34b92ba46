import type { CanonicalFinish, UnifiedFinishReason } from "../../canonical/finish-reason.js";
import { ownEntry } from "../../canonical/validate.js";

const openaiReasons: Record<string, UnifiedFinishReason> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
  content_filter: "content_filter",
};

// Compatible vendors add their own words (wire-formats §7.2: Mistral `model_length`, `error`).
const vendorReasons: Record<string, UnifiedFinishReason> = { model_length: "length", error: "error" };

export function openaiFinishToCanonical(raw: unknown): CanonicalFinish {
  if (typeof raw !== "string") return { unified: "other", raw: undefined };
  return { unified: ownEntry(openaiReasons, raw) ?? ownEntry(vendorReasons, raw) ?? "other", raw };
}

const fromUnified: Record<UnifiedFinishReason, string> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
  // OpenAI has no word for these; the stream carries the error itself.
  error: "stop",
  other: "stop",
};

/** The OpenAI `finish_reason`: the raw value when it is OpenAI's own and agrees, else mapped (wire-formats §8.3). */
export function canonicalFinishToOpenAI(finish: CanonicalFinish): string {
  if (finish.raw !== undefined && ownEntry(openaiReasons, finish.raw) === finish.unified) return finish.raw;
  return fromUnified[finish.unified];
}
