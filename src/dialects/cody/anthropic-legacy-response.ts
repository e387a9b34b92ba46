/**
 * Canonical answer → Anthropic's legacy Text Completions answer as `anthropic-version: 2023-01-01` writes it,
 * the version Cody Gateway always asks for (reference/cody.md §4.2): `{completion, stop_reason, stop, model,
 * truncated, exception, log_id}`. The legacy API knows two stop reasons: `max_tokens`, and `stop_sequence` for
 * every other end (its own natural end was the `\n\nHuman:` stop sequence).
 */
import type { CanonicalFinish } from "../../canonical/finish-reason.js";
import type { CanonicalResponse } from "../../canonical/response.js";
import type { JsonObject } from "../../canonical/validate.js";

export type LegacyStopReason = "stop_sequence" | "max_tokens";

export function canonicalFinishToLegacy(finish: CanonicalFinish): LegacyStopReason {
  return finish.unified === "length" ? "max_tokens" : "stop_sequence";
}

/** The answer's text: text parts only (reasoning has no place in a legacy completion). */
export function completionText(response: CanonicalResponse): string {
  let text = "";
  for (const part of response.content) if (part.type === "text") text += part.text;
  return text;
}

export function legacyCompletionBody(
  completion: string,
  stopReason: LegacyStopReason | null,
  finish: CanonicalFinish | undefined,
  model: string,
  id: string,
): JsonObject {
  return {
    completion,
    stop_reason: stopReason,
    stop: finish?.stopSequence ?? null,
    model,
    truncated: false,
    exception: null,
    log_id: id,
  };
}

export function canonicalToAnthropicLegacyResponse(response: CanonicalResponse): JsonObject {
  return legacyCompletionBody(
    completionText(response),
    canonicalFinishToLegacy(response.finish),
    response.finish,
    response.model,
    response.id,
  );
}
