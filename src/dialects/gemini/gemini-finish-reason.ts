import type { CanonicalFinish, UnifiedFinishReason } from "../../canonical/finish-reason.js";
import { ownEntry } from "../../canonical/validate.js";

// wire-formats §4.3 and §8.3. OTHER, FINISH_REASON_UNSPECIFIED, NO_IMAGE and IMAGE_OTHER are "other".
const geminiReasons: Record<string, UnifiedFinishReason> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  LANGUAGE: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
  IMAGE_PROHIBITED_CONTENT: "content_filter",
  IMAGE_RECITATION: "content_filter",
  MALFORMED_FUNCTION_CALL: "error",
  UNEXPECTED_TOOL_CALL: "error",
  TOO_MANY_TOOL_CALLS: "error",
};

/**
 * Gemini signals function calls with `STOP`, not a reason of their own: a STOP after function calls is
 * `tool_calls` (wire-formats §4.3). `toolCalls` says whether the response held any.
 */
export function geminiFinishToCanonical(raw: unknown, toolCalls: boolean): CanonicalFinish {
  if (typeof raw !== "string") return { unified: "other", raw: undefined };
  const unified = ownEntry(geminiReasons, raw) ?? "other";
  return { unified: unified === "stop" && toolCalls ? "tool_calls" : unified, raw };
}
