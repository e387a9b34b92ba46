import type { CanonicalUsage } from "../canonical/usage.js";

/** USD per 1M tokens, as configured per model (`pricing`). */
export interface Pricing {
  input?: number | undefined;
  output?: number | undefined;
  cacheRead?: number | undefined;
  cacheWrite?: number | undefined;
}

const perToken = 1 / 1_000_000;

/**
 * The cost of one request. Canonical `inputTokens` include cached tokens, so cache reads and
 * writes are taken out of the plain input and priced at their own rates (falling back to the
 * input price when a cache price is not configured).
 */
export function costUsd(usage: CanonicalUsage, pricing: Pricing | undefined): number {
  if (!pricing) return 0;
  const input = pricing.input ?? 0;
  const plainInput = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  return (
    (plainInput * input +
      usage.cacheReadTokens * (pricing.cacheRead ?? input) +
      usage.cacheWriteTokens * (pricing.cacheWrite ?? input) +
      usage.outputTokens * (pricing.output ?? 0)) *
    perToken
  );
}

/** The most a request can cost before it runs: all input uncached, every allowed output token used. */
export function estimateCostUsd(
  inputTokens: number,
  maxOutputTokens: number,
  pricing: Pricing | undefined,
): number {
  if (!pricing) return 0;
  return (inputTokens * (pricing.input ?? 0) + maxOutputTokens * (pricing.output ?? 0)) * perToken;
}
