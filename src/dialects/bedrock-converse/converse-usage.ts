/**
 * Bedrock Converse usage → canonical (wire-formats §6.5, §8.4). Like Anthropic's, Converse's `inputTokens`
 * EXCLUDES cache reads and writes (a real recording: 2 input + 1322 cache write + 5 output = 1329 total), so the
 * canonical input is inputTokens + cacheReadInputTokens + cacheWriteInputTokens. Reasoning is not reported.
 */
import { type CanonicalUsage, tokenCount } from "../../canonical/usage.js";
import { isObject } from "../../canonical/validate.js";

export function converseUsageToCanonical(usage: unknown): CanonicalUsage | undefined {
  if (!isObject(usage)) return undefined;
  const uncached = tokenCount(usage.inputTokens) ?? 0;
  // The …TokenCount spellings are older duplicates of the same numbers.
  const cacheRead = tokenCount(usage.cacheReadInputTokens) ?? tokenCount(usage.cacheReadInputTokenCount) ?? 0;
  const cacheWrite =
    tokenCount(usage.cacheWriteInputTokens) ?? tokenCount(usage.cacheWriteInputTokenCount) ?? 0;
  const result: CanonicalUsage = {
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: tokenCount(usage.outputTokens) ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
  // cacheDetails splits the cache writes by TTL (priced differently), as Anthropic's cache_creation does.
  if (Array.isArray(usage.cacheDetails)) {
    for (const detail of usage.cacheDetails) {
      if (!isObject(detail)) continue;
      const tokens = tokenCount(detail.inputTokens);
      if (tokens === undefined) continue;
      if (detail.ttl === "5m") result.cacheWrite5mTokens = (result.cacheWrite5mTokens ?? 0) + tokens;
      else if (detail.ttl === "1h") result.cacheWrite1hTokens = (result.cacheWrite1hTokens ?? 0) + tokens;
    }
  }
  return result;
}

/** The usage of a Converse response body, or of a ConverseStream `metadata` payload (both carry `usage`). */
export function readConverseUsage(body: unknown): CanonicalUsage | undefined {
  return isObject(body) ? converseUsageToCanonical(body.usage) : undefined;
}
