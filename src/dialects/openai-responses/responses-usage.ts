/**
 * Responses usage ⇄ canonical. As in chat completions, `input_tokens` includes
 * `input_tokens_details.cached_tokens` and `output_tokens` includes `output_tokens_details.reasoning_tokens`,
 * so both map one to one (see canonical/usage.ts).
 */
import { type CanonicalUsage, tokenCount } from "../../canonical/usage.js";
import { isObject } from "../../canonical/validate.js";

export function responsesUsageToCanonical(usage: unknown): CanonicalUsage | undefined {
  if (!isObject(usage)) return undefined;
  const input = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const output = isObject(usage.output_tokens_details) ? usage.output_tokens_details : {};
  const result: CanonicalUsage = {
    inputTokens: tokenCount(usage.input_tokens) ?? 0,
    outputTokens: tokenCount(usage.output_tokens) ?? 0,
    cacheReadTokens: tokenCount(input.cached_tokens) ?? 0,
    cacheWriteTokens: tokenCount(input.cache_write_tokens) ?? 0,
  };
  const reasoning = tokenCount(output.reasoning_tokens);
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return result;
}

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** Every field present (Codex and the AI SDK read them as numbers); unknown reasoning counts as 0. */
export function canonicalUsageToResponses(usage: CanonicalUsage): ResponsesUsage {
  const result: ResponsesUsage = {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cacheWriteTokens > 0) result.input_tokens_details.cache_write_tokens = usage.cacheWriteTokens;
  return result;
}
