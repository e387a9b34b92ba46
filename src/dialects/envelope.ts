import type { FieldError } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import { isObject, type JsonObject } from "../canonical/validate.js";

/** What routing and limits need of a request whose body the strict parser could not read in full. */
export interface Envelope {
  /** A canonical request with the routing fields only (no system, messages or tools). */
  request: CanonicalRequest;
  /** About 4 characters a token of the conversation's JSON (system, messages, tools). */
  estimatedInputTokens: number;
}

/** What a same-dialect pass-through needs of a body the strict parser refused with a non-fatal error. */
export interface UnparsedPassThrough {
  /** Routing fields; undefined when even these are wrong (then the parser's error stands). */
  envelope(body: JsonObject): Envelope | undefined;
  /**
   * The parser's fatal refusals (an empty conversation, media bytes) over what it did not read, having stopped
   * at `stoppedAt`: no upstream may take those, though the rest is the upstream's to judge.
   */
  refusal(body: JsonObject, stoppedAt: FieldError): FieldError | undefined;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < 2 ** 31
    ? value
    : undefined;
}

/**
 * The envelope of a chat body (Anthropic Messages or OpenAI Chat Completions): a string `model` (or none),
 * a boolean `stream` (or none), a positive integer for the dialect's max-tokens field where one is given, and
 * `messages` as an array. Anything else is the upstream's to judge. Undefined when these are wrong: then the
 * strict parser's error stands.
 */
export function chatEnvelope(body: JsonObject, maxTokensFields: readonly string[]): Envelope | undefined {
  const model = body.model;
  if (model !== undefined && typeof model !== "string") return undefined;
  if (body.stream !== undefined && typeof body.stream !== "boolean") return undefined;
  if (!Array.isArray(body.messages)) return undefined;
  let maxOutputTokens: number | undefined;
  for (const field of maxTokensFields) {
    if (body[field] === undefined) continue;
    maxOutputTokens = positiveInteger(body[field]);
    if (maxOutputTokens === undefined) return undefined;
  }
  const stream = body.stream === true;
  const streamOptions = body.stream_options;
  const request: CanonicalRequest = {
    model,
    system: [],
    messages: [],
    stream,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
    extra: {},
  };
  if (maxOutputTokens !== undefined) request.maxOutputTokens = maxOutputTokens;
  const characters =
    JSON.stringify(body.messages).length +
    (body.system === undefined ? 0 : JSON.stringify(body.system).length) +
    (body.tools === undefined ? 0 : JSON.stringify(body.tools).length);
  return { request, estimatedInputTokens: Math.ceil(characters / 4) };
}
