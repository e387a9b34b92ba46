/**
 * Canonical answer → Gemini's `GenerateContentResponse` for a client (wire-formats §4.3): one candidate whose
 * parts are the text (and thought summaries as `thought: true` parts), its `finishReason`, and
 * `usageMetadata`, the usage Cody Gateway reads (reference/cody.md §4.2).
 */
import type { ContentPart } from "../../canonical/content.js";
import type { CanonicalFinish, UnifiedFinishReason } from "../../canonical/finish-reason.js";
import type { CanonicalResponse } from "../../canonical/response.js";
import type { CanonicalUsage } from "../../canonical/usage.js";
import type { JsonObject } from "../../canonical/validate.js";
import { geminiFinishToCanonical } from "./gemini-finish-reason.js";

const fromUnified: Record<UnifiedFinishReason, string> = {
  stop: "STOP",
  length: "MAX_TOKENS",
  tool_calls: "STOP",
  content_filter: "SAFETY",
  error: "OTHER",
  other: "OTHER",
};

/** The Gemini `finishReason`: the raw value when it is Gemini's own and agrees. */
export function canonicalFinishToGemini(finish: CanonicalFinish): string {
  const raw = finish.raw;
  if (raw !== undefined && /^[A-Z_]+$/.test(raw)) {
    const read = geminiFinishToCanonical(raw, finish.unified === "tool_calls");
    if (read.unified === finish.unified && (read.unified !== "other" || raw === "OTHER")) return raw;
  }
  return fromUnified[finish.unified];
}

/** Canonical usage → `usageMetadata` (thoughts counted apart from candidates, as Gemini does). */
export function canonicalUsageToGemini(usage: CanonicalUsage): JsonObject {
  const thoughts = usage.reasoningTokens ?? 0;
  const metadata: JsonObject = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - thoughts),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.reasoningTokens !== undefined) metadata.thoughtsTokenCount = usage.reasoningTokens;
  if (usage.cacheReadTokens > 0) metadata.cachedContentTokenCount = usage.cacheReadTokens;
  return metadata;
}

/** Text and reasoning parts as Gemini parts; nothing else reaches this route (it takes no tools). */
export function geminiPartsOf(content: readonly ContentPart[]): JsonObject[] {
  const parts: JsonObject[] = [];
  for (const part of content) {
    if (part.type === "text")
      parts.push(
        part.signature === undefined
          ? { text: part.text }
          : { text: part.text, thoughtSignature: part.signature },
      );
    else if (part.type === "reasoning" && part.text !== "") parts.push({ text: part.text, thought: true });
  }
  return parts;
}

export function canonicalToGeminiResponse(response: CanonicalResponse): JsonObject {
  return {
    candidates: [
      {
        content: { role: "model", parts: geminiPartsOf(response.content) },
        finishReason: canonicalFinishToGemini(response.finish),
        index: 0,
      },
    ],
    usageMetadata: canonicalUsageToGemini(response.usage),
    modelVersion: response.model,
    responseId: response.id,
  };
}
