/**
 * OpenAI Responses request (`POST /v1/responses`, our API input) → canonical, strictly validated.
 *
 * Fields with no canonical meaning (`store`, `include`, `previous_response_id`, `service_tier`, `truncation`,
 * `prompt_cache_key`, `reasoning.summary`, `text.verbosity`…) go to `extra["openai-responses"]`: an OpenAI
 * Responses upstream gets the client's own body anyway, and responses-translation.ts decides what another
 * upstream cannot do (refused, such as `previous_response_id`) or does without (warned).
 */
import type { SystemPart } from "../../canonical/content.js";
import type { FieldError, ParseResult, TranslationWarning } from "../../canonical/errors.js";
import {
  type CanonicalRequest,
  type ReasoningConfig,
  type ResponseFormat,
  reasoningEfforts,
} from "../../canonical/request.js";
import {
  asArray,
  asObject,
  asString,
  catchFieldError,
  fail,
  type JsonObject,
  maxTokensRange,
  oneOf,
  optBoolean,
  optNumber,
  optString,
  optStringMap,
  refuse,
  unknownKeys,
  unreadFrom,
} from "../../canonical/validate.js";
import { checkResponsesInputMedia, parseResponsesInput } from "./responses-input.js";
import { parseResponsesToolChoice, parseResponsesTools, type Warn } from "./responses-tools.js";

/** Keys read into canonical fields; every other key is kept in the dialect's extras. */
const knownKeys = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "reasoning",
  "max_output_tokens",
  "temperature",
  "top_p",
  "text",
  "stream",
  "user",
  "safety_identifier",
  "metadata",
]);

const present = (value: unknown): boolean => value !== undefined && value !== null;

function parseText(value: unknown, extra: JsonObject): ResponseFormat | undefined {
  const { format, ...rest } = asObject(value, "text");
  if (present(rest.verbosity)) oneOf(rest.verbosity, ["low", "medium", "high"], "text.verbosity");
  if (Object.keys(rest).length > 0) extra.text = rest;
  if (!present(format)) return undefined;
  const spec = asObject(format, "text.format");
  const type = oneOf(spec.type, ["text", "json_object", "json_schema"], "text.format.type");
  if (type === "text") return { type: "text" };
  if (type === "json_object") return { type: "json" };
  const result: ResponseFormat = {
    type: "json-schema",
    name: asString(spec.name, "text.format.name"),
    schema: asObject(spec.schema, "text.format.schema"),
  };
  const strict = optBoolean(spec, "strict", "text.format");
  if (strict !== undefined) result.strict = strict;
  const description = optString(spec, "description", "text.format");
  if (description !== undefined) result.description = description;
  return result;
}

/** `reasoning.effort` is canonical; `summary` and the rest only mean something to OpenAI. */
function parseReasoning(value: unknown, extra: JsonObject): ReasoningConfig | undefined {
  const { effort, ...rest } = asObject(value, "reasoning");
  if (present(rest.summary)) oneOf(rest.summary, ["auto", "concise", "detailed"], "reasoning.summary");
  if (Object.keys(rest).length > 0) extra.reasoning = rest;
  return present(effort) ? { effort: oneOf(effort, reasoningEfforts, "reasoning.effort") } : undefined;
}

/** Type checks of extras the gateway reasons about (responses-translation.ts); their values stay as sent. */
function checkExtras(body: JsonObject): void {
  optString(body, "previous_response_id", "");
  optBoolean(body, "store", "");
  optBoolean(body, "background", "");
  if (present(body.include))
    asArray(body.include, "include").forEach((item, index) => {
      asString(item, `include[${index}]`);
    });
  if (present(body.conversation) && typeof body.conversation !== "string")
    asString(asObject(body.conversation, "conversation").id, "conversation.id");
  if (present(body.prompt)) asString(asObject(body.prompt, "prompt").id, "prompt.id");
  if (present(body.stream_options)) {
    const options = asObject(body.stream_options, "stream_options");
    optBoolean(options, "include_obfuscation", "stream_options");
  }
}

/** Without `input` the conversation lives at OpenAI (a previous response, a conversation or a stored prompt). */
const stored = (body: JsonObject): boolean =>
  present(body.previous_response_id) || present(body.conversation) || present(body.prompt);

function refuseEmptyInput(body: JsonObject): void {
  const empty = body.input === "" || (Array.isArray(body.input) && body.input.length === 0);
  if (empty && !stored(body)) refuse("input", "must not be empty: send a text or at least one item");
}

function parse(input: unknown, warn: Warn): CanonicalRequest {
  const body = asObject(input, "body");
  checkExtras(body);
  if (!present(body.input) && !stored(body)) fail("input", "is required");
  refuseEmptyInput(body);
  const extra: JsonObject = {};
  const system: SystemPart[] = [];
  const instructions = optString(body, "instructions", "");
  if (instructions !== undefined) system.push({ type: "text", text: instructions });
  const request: CanonicalRequest = {
    model: optString(body, "model", ""),
    system,
    messages: present(body.input) ? parseResponsesInput(body.input, system, warn) : [],
    stream: optBoolean(body, "stream", "") ?? false,
    // Responses streams always end with the usage (in response.completed).
    includeUsage: true,
    extra: {},
  };
  const maxTokens = optNumber(body, "max_output_tokens", "", maxTokensRange);
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  const temperature = optNumber(body, "temperature", "", { min: 0, max: 2 });
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optNumber(body, "top_p", "", { min: 0, max: 1 });
  if (topP !== undefined) request.topP = topP;
  if (present(body.tools)) request.tools = parseResponsesTools(body.tools, warn);
  if (present(body.tool_choice)) request.toolChoice = parseResponsesToolChoice(body.tool_choice, extra);
  const parallel = optBoolean(body, "parallel_tool_calls", "");
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  if (present(body.reasoning)) {
    const reasoning = parseReasoning(body.reasoning, extra);
    if (reasoning) request.reasoning = reasoning;
  }
  if (present(body.text)) {
    const format = parseText(body.text, extra);
    if (format) request.responseFormat = format;
  }
  // `safety_identifier` replaces `user` as the end-user id; when both come, `user` is the canonical one.
  const user = optString(body, "user", "");
  const safetyIdentifier = optString(body, "safety_identifier", "");
  if (user !== undefined || safetyIdentifier !== undefined) request.user = user ?? safetyIdentifier;
  if (user !== undefined && safetyIdentifier !== undefined) extra.safety_identifier = safetyIdentifier;
  const metadata = optStringMap(body, "metadata", "");
  if (metadata !== undefined) request.metadata = metadata;
  Object.assign(extra, unknownKeys(body, knownKeys));
  if (Object.keys(extra).length > 0) request.extra["openai-responses"] = extra;
  return request;
}

/** Top-level fields `parse` reads once the whole input is read (keep in step with it; a test checks). */
export const readAfterInput: ReadonlySet<string> = new Set([
  "stream",
  "max_output_tokens",
  "temperature",
  "top_p",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "reasoning",
  "text",
  "user",
  "safety_identifier",
  "metadata",
]);

/**
 * The fatal refusals of `parse` (an empty input, media bytes) alone, over the part of a body its strict parse
 * stopped before reading (at `stoppedAt`): an OpenAI Responses upstream takes the rest unread.
 */
export function responsesRefusal(body: JsonObject, stoppedAt: FieldError): FieldError | undefined {
  const from = unreadFrom(stoppedAt.field, "input", readAfterInput);
  if (from === undefined) return undefined;
  const result = catchFieldError(() => {
    refuseEmptyInput(body);
    if (Array.isArray(body.input)) checkResponsesInputMedia(body.input, from);
  });
  return result.ok ? undefined : result.error;
}

export function responsesToCanonicalRequest(body: unknown): ParseResult<CanonicalRequest> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError(() => parse(body, (field, message) => warnings.push({ field, message })));
  return result.ok ? { ok: true, request: result.value, warnings } : result;
}
