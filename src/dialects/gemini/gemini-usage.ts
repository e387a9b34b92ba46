/**
 * Gemini `usageMetadata` → canonical usage (wire-formats §4.3, §8.4). `promptTokenCount` already includes
 * `cachedContentTokenCount`; tool-use prompt tokens (grounding, code execution) come on top of it. Thoughts are
 * NOT inside `candidatesTokenCount` (unlike OpenAI's reasoning tokens), so output = candidates + thoughts.
 */
import { type CanonicalUsage, tokenCount } from "../../canonical/usage.js";
import { isObject } from "../../canonical/validate.js";

/** Undefined when the metadata holds no token count (Vertex's early stream chunks carry only `trafficType`). */
export function geminiUsageToCanonical(usage: unknown): CanonicalUsage | undefined {
  if (!isObject(usage)) return undefined;
  const prompt = tokenCount(usage.promptTokenCount);
  const toolPrompt = tokenCount(usage.toolUsePromptTokenCount);
  const candidates = tokenCount(usage.candidatesTokenCount);
  const thoughts = tokenCount(usage.thoughtsTokenCount);
  const cached = tokenCount(usage.cachedContentTokenCount);
  if ([prompt, toolPrompt, candidates, thoughts, cached].every((count) => count === undefined))
    return undefined;
  const result: CanonicalUsage = {
    inputTokens: (prompt ?? 0) + (toolPrompt ?? 0),
    outputTokens: (candidates ?? 0) + (thoughts ?? 0),
    cacheReadTokens: cached ?? 0,
    // Explicit caches are created (and billed) through their own API, never by a generate call.
    cacheWriteTokens: 0,
  };
  if (thoughts !== undefined) result.reasoningTokens = thoughts;
  return result;
}
