/**
 * Anthropic usage ⇄ canonical. Anthropic's `input_tokens` EXCLUDES cache reads and writes, so the
 * canonical total is input + cache_read + cache_creation, and the reverse subtracts them again (exact).
 */
import { type CanonicalUsage, tokenCount } from "../../canonical/usage.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";

export function anthropicUsageToCanonical(usage: unknown): CanonicalUsage | undefined {
  if (!isObject(usage)) return undefined;
  const uncached = tokenCount(usage.input_tokens) ?? 0;
  const cacheRead = tokenCount(usage.cache_read_input_tokens) ?? 0;
  const cacheWrite = tokenCount(usage.cache_creation_input_tokens) ?? 0;
  const result: CanonicalUsage = {
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: tokenCount(usage.output_tokens) ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
  if (isObject(usage.cache_creation)) {
    const fiveMinutes = tokenCount(usage.cache_creation.ephemeral_5m_input_tokens);
    const oneHour = tokenCount(usage.cache_creation.ephemeral_1h_input_tokens);
    if (fiveMinutes !== undefined) result.cacheWrite5mTokens = fiveMinutes;
    if (oneHour !== undefined) result.cacheWrite1hTokens = oneHour;
  }
  const details = isObject(usage.output_tokens_details) ? usage.output_tokens_details : {};
  const thinking = tokenCount(details.thinking_tokens);
  if (thinking !== undefined) result.reasoningTokens = thinking;
  return result;
}

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  output_tokens_details?: { thinking_tokens: number };
}

export function canonicalUsageToAnthropic(usage: CanonicalUsage): AnthropicUsage {
  const result: AnthropicUsage = {
    input_tokens: Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    output_tokens: usage.outputTokens,
  };
  if (usage.cacheWrite5mTokens !== undefined || usage.cacheWrite1hTokens !== undefined) {
    result.cache_creation = {
      ephemeral_5m_input_tokens: usage.cacheWrite5mTokens ?? 0,
      ephemeral_1h_input_tokens: usage.cacheWrite1hTokens ?? 0,
    };
  }
  if (usage.reasoningTokens !== undefined) {
    result.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
  }
  return result;
}

/**
 * Stream usage: `message_start` gives the prompt side, each `message_delta` restates cumulative fields
 * (possibly a corrected `input_tokens`); later values replace earlier ones field by field.
 */
export function mergeAnthropicUsage(previous: JsonObject | undefined, next: unknown): JsonObject | undefined {
  if (!isObject(next)) return previous;
  const merged: JsonObject = { ...previous };
  for (const [key, value] of Object.entries(next))
    if (value !== null && value !== undefined) merged[key] = value;
  return merged;
}
