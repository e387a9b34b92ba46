/**
 * Normalised token usage.
 *
 * `inputTokens` is the TOTAL prompt, cached tokens included. Dialects count differently:
 * - OpenAI `prompt_tokens` already includes `prompt_tokens_details.cached_tokens` (a subset), so
 *   inputTokens = prompt_tokens and cacheReadTokens = cached_tokens.
 * - Anthropic `input_tokens` EXCLUDES cache reads and writes, so
 *   inputTokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens, and back
 *   input_tokens = inputTokens - cacheReadTokens - cacheWriteTokens (exact, so round trips reproduce the numbers).
 * `outputTokens` includes reasoning tokens in both (OpenAI `completion_tokens`, Anthropic `output_tokens`);
 * `reasoningTokens` is the reasoning subset, undefined when the provider did not report it.
 */
export interface CanonicalUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens?: number;
  /** Anthropic's split of cacheWriteTokens by TTL (priced differently). */
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
}

export function emptyUsage(): CanonicalUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}

export function totalTokens(usage: CanonicalUsage): number {
  return usage.inputTokens + usage.outputTokens;
}

/** A non-negative integer from an upstream field, else undefined (upstream output is read leniently). */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
}

/** Reads usage beside a pass-through relay, without re-serialising anything. */
export interface UsageTap {
  /** One parsed stream payload. */
  onEvent(event: unknown): void;
  /** One raw SSE `data` field; parsed only when it can hold usage. */
  onData(data: string): void;
  /** The usage so far (cumulative, last wins); undefined when none came. */
  result(): CanonicalUsage | undefined;
}
