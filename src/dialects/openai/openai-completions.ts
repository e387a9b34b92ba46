/**
 * OpenAI legacy Completions (`/v1/completions`, incl. `suffix` for fill-in-the-middle) ⇄ canonical. The
 * prompt travels as `request.prompt`; streams use the shared OpenAI decoder and the encoder's
 * `format: "completions"`.
 */
import type { BuildResult, ParseResult, TranslationWarning } from "../../canonical/errors.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import type { CanonicalResponse, ResponseResult } from "../../canonical/response.js";
import { emptyUsage } from "../../canonical/usage.js";
import {
  asObject,
  catchFieldError,
  fail,
  isObject,
  type JsonObject,
  maxTokensRange,
  optBoolean,
  optNumber,
  optString,
  refuse,
  unknownKeys,
} from "../../canonical/validate.js";
import { openaiErrorToCanonical } from "./openai-errors.js";
import { canonicalFinishToOpenAI, openaiFinishToCanonical } from "./openai-finish-reason.js";
import { readSampling } from "./openai-sampling.js";
import { canonicalUsageToOpenAI, openaiUsageToCanonical } from "./openai-usage.js";

const knownKeys = new Set([
  "model",
  "prompt",
  "suffix",
  "max_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "user",
  "stream",
  "stream_options",
]);

function promptText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === "string") return value[0];
  return fail(
    "prompt",
    "expected a string (lists of prompts and token ids can only be sent to OpenAI-family models as is)",
  );
}

function parse(input: unknown): CanonicalRequest {
  const body = asObject(input, "body");
  if (body.prompt === undefined || body.prompt === null) fail("prompt", "is required");
  const request: CanonicalRequest = {
    model: optString(body, "model", ""),
    system: [],
    messages: [],
    prompt: { text: promptText(body.prompt) },
    stream: optBoolean(body, "stream", "") ?? false,
    includeUsage: isObject(body.stream_options)
      ? (optBoolean(body.stream_options, "include_usage", "stream_options") ?? false)
      : false,
    extra: {},
  };
  const suffix = optString(body, "suffix", "");
  if (suffix !== undefined && request.prompt) request.prompt.suffix = suffix;
  // Fill-in-the-middle at the start of a file has an empty prompt; without a suffix there is nothing to complete.
  if (request.prompt?.text === "" && !suffix)
    refuse("prompt", "must not be empty: send the text to complete (or a suffix for fill-in-the-middle)");
  const maxTokens = optNumber(body, "max_tokens", "", maxTokensRange);
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  readSampling(body, request);
  const user = optString(body, "user", "");
  if (user !== undefined) request.user = user;
  const extra = unknownKeys(body, knownKeys);
  if (extra) request.extra.openai = extra;
  return request;
}

export function openaiCompletionsToCanonicalRequest(body: unknown): ParseResult<CanonicalRequest> {
  const result = catchFieldError(() => parse(body));
  return result.ok ? { ok: true, request: result.value, warnings: [] } : result;
}

export interface OpenAICompletionsSettings {
  model: string;
  forceStreamUsage?: boolean;
}

export function canonicalToOpenAICompletionsRequest(
  request: CanonicalRequest,
  settings: OpenAICompletionsSettings,
): BuildResult<JsonObject> {
  const warnings: TranslationWarning[] = [];
  const body: JsonObject = { model: settings.model };
  if (request.prompt) {
    body.prompt = request.prompt.text;
    if (request.prompt.suffix !== undefined) body.suffix = request.prompt.suffix;
  } else {
    warnings.push({
      field: "messages",
      message: "a chat conversation is sent to a completions model as one text prompt",
    });
    const texts = [...request.system.map((part) => part.text)];
    for (const message of request.messages) {
      for (const part of message.content) if (part.type === "text") texts.push(part.text);
    }
    body.prompt = texts.join("\n\n");
  }
  if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) {
    if (request.temperature > 2)
      return {
        ok: false,
        error: {
          field: "temperature",
          message: `temperature: must be at most 2, got ${request.temperature}`,
        },
      };
    body.temperature = request.temperature;
  }
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.choices !== undefined) body.n = request.choices;
  if (request.stopSequences !== undefined) {
    if (request.stopSequences.length > 4)
      return { ok: false, error: { field: "stop", message: "stop: at most 4 stop sequences" } };
    body.stop = request.stopSequences;
  }
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user !== undefined) body.user = request.user;
  if (request.stream) {
    body.stream = true;
    if (request.includeUsage || (settings.forceStreamUsage ?? true))
      body.stream_options = { include_usage: true };
  }
  const unsupported = [
    ["tools", request.tools],
    ["tool_choice", request.toolChoice],
    ["response_format", request.responseFormat],
    ["reasoning", request.reasoning],
    ["top_k", request.topK],
  ] as const;
  for (const [field, value] of unsupported)
    if (value !== undefined)
      warnings.push({ field, message: "not supported by completions models; not sent" });
  for (const [key, value] of Object.entries(request.extra.openai ?? {}))
    if (!(key in body)) body[key] = value;
  return { ok: true, body, warnings };
}

export function openaiCompletionResponseToCanonical(body: unknown, status = 200): ResponseResult {
  if (!isObject(body) || isObject(body.error))
    return { ok: false, error: openaiErrorToCanonical(status === 200 ? 502 : status, body) };
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  // Mistral FIM answers in chat shape (wire-formats §7.2).
  const text =
    typeof choice.text === "string"
      ? choice.text
      : isObject(choice.message) && typeof choice.message.content === "string"
        ? choice.message.content
        : "";
  const response: CanonicalResponse = {
    id: String(body.id ?? ""),
    model: String(body.model ?? ""),
    content: [{ type: "text", text }],
    finish: openaiFinishToCanonical(choice.finish_reason),
    usage: openaiUsageToCanonical(body.usage) ?? emptyUsage(),
  };
  if (typeof body.created === "number") response.created = body.created;
  return { ok: true, response };
}

export function canonicalToOpenAICompletionResponse(
  response: CanonicalResponse,
  options: { created?: number } = {},
): JsonObject {
  const text = response.content.map((part) => (part.type === "text" ? part.text : "")).join("");
  const usage = canonicalUsageToOpenAI(response.usage);
  return {
    id: response.id,
    object: "text_completion",
    created: response.created ?? options.created ?? Math.floor(Date.now() / 1000),
    model: response.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: canonicalFinishToOpenAI(response.finish) }],
    usage: {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.total_tokens,
    },
  };
}
