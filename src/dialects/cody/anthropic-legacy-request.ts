/**
 * Anthropic's legacy Text Completions request (`/v1/complete`), as Cody Gateway takes it on
 * `/v1/completions/anthropic` (reference/cody.md §4.2), → canonical, strictly validated.
 *
 * A Sourcegraph instance marshals every field, set or not (no `omitempty`), so an unset `top_k` or `top_p`
 * arrives as 0, and Cody's clients send -1 for "off", which the legacy API took as its default: a value of 0 or
 * less is read as absent.
 */
import type { ParseResult, TranslationWarning } from "../../canonical/errors.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import {
  asObject,
  asString,
  catchFieldError,
  fail,
  type JsonObject,
  maxTokensRange,
  optBoolean,
  optNumber,
  optString,
  optStringList,
} from "../../canonical/validate.js";
import { splitLegacyPrompt } from "./anthropic-legacy-prompt.js";

const knownKeys = new Set([
  "prompt",
  "model",
  "max_tokens_to_sample",
  "stop_sequences",
  "stream",
  "temperature",
  "top_k",
  "top_p",
  "metadata",
]);

function readMetadata(body: JsonObject, request: CanonicalRequest): void {
  if (body.metadata === undefined || body.metadata === null) return;
  const metadata = asObject(body.metadata, "metadata");
  const user = optString(metadata, "user_id", "metadata");
  if (user !== undefined) request.user = user;
}

function parse(body: JsonObject, warnings: TranslationWarning[]): CanonicalRequest {
  if (body.prompt === undefined || body.prompt === null) fail("prompt", "is required");
  const { system, messages } = splitLegacyPrompt(asString(body.prompt, "prompt"));
  if (body.max_tokens_to_sample === undefined || body.max_tokens_to_sample === null)
    fail("max_tokens_to_sample", "is required");
  const request: CanonicalRequest = {
    model: optString(body, "model", ""),
    system,
    messages,
    maxOutputTokens: optNumber(body, "max_tokens_to_sample", "", maxTokensRange),
    stream: optBoolean(body, "stream", "") ?? false,
    // The gateway meters every answer; the legacy format itself carries no usage.
    includeUsage: false,
    extra: {},
  };
  const temperature = optNumber(body, "temperature", "", { min: 0, max: 1 });
  if (temperature !== undefined) request.temperature = temperature;
  const topK = optNumber(body, "top_k", "", { integer: true });
  if (topK !== undefined && topK > 0) request.topK = topK;
  const topP = optNumber(body, "top_p", "", { max: 1 });
  if (topP !== undefined && topP > 0) request.topP = topP;
  const stop = optStringList(body, "stop_sequences", "");
  if (stop !== undefined && stop.length > 0) request.stopSequences = stop;
  readMetadata(body, request);
  for (const key of Object.keys(body))
    if (!knownKeys.has(key))
      warnings.push({ field: key, message: "not a field of Anthropic's Text Completions API; not sent" });
  return request;
}

export function anthropicLegacyToCanonicalRequest(input: unknown): ParseResult<CanonicalRequest> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError(() => parse(asObject(input, "body"), warnings));
  return result.ok ? { ok: true, request: result.value, warnings } : result;
}

/**
 * Cody Gateway's refusal of `max_tokens_to_sample` above what the model allows (reference/cody.md §4.2), checked
 * against the routed model's maximum instead of one gateway-wide setting.
 */
export function legacyMaxTokensMessage(maximum: number, asked: number): string {
  return `max_tokens_to_sample exceeds maximum allowed value of ${maximum}: ${asked}`;
}
