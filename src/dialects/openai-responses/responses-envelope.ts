/**
 * The envelope of a Responses body the strict parser could not read in full (a new content part type, a new
 * field's shape): enough to route, limit and pass it through to an OpenAI Responses upstream, which judges
 * the rest. See dialects/envelope.ts for the chat dialects' one.
 */
import type { CanonicalRequest } from "../../canonical/request.js";
import type { JsonObject } from "../../canonical/validate.js";
import type { Envelope } from "../envelope.js";

/**
 * A string `model` (or none), a boolean `stream` (or none), a positive integer `max_output_tokens` (or none),
 * and `input` as a string or an array (or none when the conversation is stored at OpenAI). Undefined when these
 * are wrong: then the strict parser's error stands.
 */
export function responsesEnvelope(body: JsonObject): Envelope | undefined {
  const { model, stream, input } = body;
  if (model !== undefined && typeof model !== "string") return undefined;
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") return undefined;
  const stored = [body.previous_response_id, body.conversation, body.prompt].some(
    (value) => value !== undefined && value !== null,
  );
  if (typeof input !== "string" && !Array.isArray(input) && !(input === undefined && stored))
    return undefined;
  const maxTokens = body.max_output_tokens;
  const validMax =
    typeof maxTokens === "number" && Number.isInteger(maxTokens) && maxTokens > 0 && maxTokens < 2 ** 31;
  if (maxTokens !== undefined && maxTokens !== null && !validMax) return undefined;
  const request: CanonicalRequest = {
    model,
    system: [],
    messages: [],
    stream: stream === true,
    includeUsage: true,
    extra: {},
  };
  if (validMax) request.maxOutputTokens = maxTokens;
  const characters = [body.instructions, input, body.tools].reduce<number>(
    (sum, value) => sum + (value === undefined ? 0 : JSON.stringify(value).length),
    0,
  );
  return { request, estimatedInputTokens: Math.ceil(characters / 4) };
}
