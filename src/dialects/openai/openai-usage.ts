/**
 * OpenAI usage ⇄ canonical. OpenAI's `prompt_tokens` already includes `cached_tokens`, and
 * `completion_tokens` includes `reasoning_tokens`, so both map one to one (see canonical/usage.ts).
 */
import { type CanonicalUsage, tokenCount } from "../../canonical/usage.js";
import { isObject } from "../../canonical/validate.js";

export function openaiUsageToCanonical(usage: unknown): CanonicalUsage | undefined {
  if (!isObject(usage)) return undefined;
  const prompt = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const completion = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  const result: CanonicalUsage = {
    inputTokens: tokenCount(usage.prompt_tokens) ?? 0,
    outputTokens: tokenCount(usage.completion_tokens) ?? 0,
    // DeepSeek reports `prompt_cache_hit_tokens` (same meaning) where older responses lack the details.
    cacheReadTokens: tokenCount(prompt.cached_tokens) ?? tokenCount(usage.prompt_cache_hit_tokens) ?? 0,
    cacheWriteTokens: tokenCount(prompt.cache_write_tokens) ?? 0,
  };
  const reasoning = tokenCount(completion.reasoning_tokens);
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return result;
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export function canonicalUsageToOpenAI(usage: CanonicalUsage): OpenAIUsage {
  const result: OpenAIUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
  };
  if (usage.cacheWriteTokens > 0) result.prompt_tokens_details.cache_write_tokens = usage.cacheWriteTokens;
  if (usage.reasoningTokens !== undefined) {
    result.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  }
  return result;
}
