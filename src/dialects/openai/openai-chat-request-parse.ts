/** OpenAI Chat Completions request (our API input) → canonical, strictly validated. */
import type {
  CanonicalMessage,
  ContentPart,
  ImagePart,
  SystemPart,
  TextPart,
  ToolCallPart,
} from "../../canonical/content.js";
import type { FieldError, ParseResult } from "../../canonical/errors.js";
import { base64DataUrl, checkBase64Media } from "../../canonical/media-bytes.js";
import {
  type CanonicalRequest,
  type CanonicalTool,
  type ReasoningConfig,
  type ResponseFormat,
  reasoningEfforts,
  type ToolChoice,
} from "../../canonical/request.js";
import {
  asArray,
  asObject,
  asString,
  catchFieldError,
  fail,
  fieldPath,
  isObject,
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
import { openaiReasoningToParts } from "./openai-reasoning.js";
import { readSampling } from "./openai-sampling.js";

const knownKeys = new Set([
  "model",
  "messages",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "n",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "stream",
  "stream_options",
  "user",
  "metadata",
  "reasoning_effort",
  "reasoning",
]);

const roles = ["system", "developer", "user", "assistant", "tool"] as const;
const userPartTypes = ["text", "image_url", "input_audio", "file"] as const;

const refuseNoMessages = () => refuse("messages", "must not be empty: send at least one message");

/**
 * `data:<media type>;base64,<data>` → a base64 source, refused when its data is not base64 of that type
 * (`field` names the URL); any other URL stays a URL.
 */
export function imageFromUrl(url: string, detail: string | undefined, field: string): ImagePart {
  const inline = base64DataUrl(url);
  if (inline) checkBase64Media(inline.data, inline.mediaType, field);
  const part: ImagePart = {
    type: "image",
    source: inline ? { type: "base64", ...inline } : { type: "url", url },
  };
  if (detail !== undefined) part.detail = detail;
  return part;
}

function parseTextParts(value: unknown, field: string): TextPart[] {
  if (typeof value === "string") return [{ type: "text", text: value }];
  return asArray(value, field).map((item, index) => {
    const partField = fieldPath(field, index);
    const part = asObject(item, partField);
    oneOf(part.type, ["text"], fieldPath(partField, "type"));
    return { type: "text", text: asString(part.text, fieldPath(partField, "text")) };
  });
}

/** A `file` part's inline `file_data` (a data URL; PDFs are what chat models read) must hold what it says. */
function checkFile(part: JsonObject, field: string): void {
  if (!isObject(part.file) || typeof part.file.file_data !== "string") return;
  const inline = base64DataUrl(part.file.file_data);
  if (inline) checkBase64Media(inline.data, inline.mediaType, fieldPath(field, "file.file_data"));
}

function parseUserContent(value: unknown, field: string): ContentPart[] {
  if (typeof value === "string") return [{ type: "text", text: value }];
  return asArray(value, field).map((item, index): ContentPart => {
    const partField = fieldPath(field, index);
    const part = asObject(item, partField);
    const type = oneOf(part.type, userPartTypes, fieldPath(partField, "type"));
    if (type === "text") return { type: "text", text: asString(part.text, fieldPath(partField, "text")) };
    if (type === "image_url") {
      const imageField = fieldPath(partField, "image_url");
      const image = asObject(part.image_url, imageField);
      const urlField = fieldPath(imageField, "url");
      return imageFromUrl(asString(image.url, urlField), optString(image, "detail", imageField), urlField);
    }
    if (type === "file") checkFile(part, partField);
    return { type: "opaque", dialect: "openai", value: part };
  });
}

function parseToolCall(value: unknown, field: string): ToolCallPart {
  const call = asObject(value, field);
  oneOf(call.type ?? "function", ["function"], fieldPath(field, "type"));
  const functionField = fieldPath(field, "function");
  const fn = asObject(call.function, functionField);
  return {
    type: "tool-call",
    id: asString(call.id, fieldPath(field, "id")),
    name: asString(fn.name, fieldPath(functionField, "name")),
    arguments: asString(fn.arguments, fieldPath(functionField, "arguments")),
  };
}

function parseAssistant(message: JsonObject, field: string): ContentPart[] {
  const parts: ContentPart[] = [...openaiReasoningToParts(message)];
  const content = message.content;
  if (content !== undefined && content !== null) {
    const contentField = fieldPath(field, "content");
    if (typeof content === "string") {
      if (content !== "") parts.push({ type: "text", text: content });
    } else {
      asArray(content, contentField).forEach((item, index) => {
        const partField = fieldPath(contentField, index);
        const part = asObject(item, partField);
        const type = oneOf(part.type, ["text", "refusal"], fieldPath(partField, "type"));
        const key = type === "text" ? "text" : "refusal";
        parts.push({ type, text: asString(part[key], fieldPath(partField, key)) });
      });
    }
  }
  const refusal = optString(message, "refusal", field);
  if (refusal !== undefined) parts.push({ type: "refusal", text: refusal });
  if (message.tool_calls !== undefined && message.tool_calls !== null) {
    const callsField = fieldPath(field, "tool_calls");
    asArray(message.tool_calls, callsField).forEach((call, index) => {
      parts.push(parseToolCall(call, fieldPath(callsField, index)));
    });
  }
  return parts;
}

function parseMessages(value: unknown, system: SystemPart[]): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  const items = asArray(value, "messages");
  if (items.length === 0) refuseNoMessages();
  items.forEach((item, index) => {
    const field = fieldPath("messages", index);
    const message = asObject(item, field);
    const role = oneOf(message.role, roles, fieldPath(field, "role"));
    const contentField = fieldPath(field, "content");
    const name = optString(message, "name", field);
    if (role === "system" || role === "developer") {
      // System prompts are hoisted to the top, in order (wire-formats §8.1).
      for (const part of parseTextParts(message.content, contentField)) {
        system.push(role === "developer" ? { ...part, developer: true } : part);
      }
      return;
    }
    let canonical: CanonicalMessage;
    if (role === "user") canonical = { role, content: parseUserContent(message.content, contentField) };
    else if (role === "assistant") canonical = { role, content: parseAssistant(message, field) };
    else {
      const toolCallId = asString(message.tool_call_id, fieldPath(field, "tool_call_id"));
      const content =
        typeof message.content === "string" ? message.content : parseTextParts(message.content, contentField);
      canonical = { role, content: [{ type: "tool-result", toolCallId, content }] };
    }
    if (name !== undefined) canonical.name = name;
    messages.push(canonical);
  });
  return messages;
}

function parseTools(value: unknown): CanonicalTool[] {
  return asArray(value, "tools").map((item, index): CanonicalTool => {
    const field = fieldPath("tools", index);
    const tool = asObject(item, field);
    const type = oneOf(tool.type, ["function", "custom"], fieldPath(field, "type"));
    if (type === "custom") return { type: "opaque", dialect: "openai", value: tool };
    const functionField = fieldPath(field, "function");
    const fn = asObject(tool.function, functionField);
    const canonical: CanonicalTool = {
      type: "function",
      name: asString(fn.name, fieldPath(functionField, "name")),
    };
    const description = optString(fn, "description", functionField);
    if (description !== undefined) canonical.description = description;
    if (fn.parameters !== undefined)
      canonical.inputSchema = asObject(fn.parameters, fieldPath(functionField, "parameters"));
    const strict = optBoolean(fn, "strict", functionField);
    if (strict !== undefined) canonical.strict = strict;
    return canonical;
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (typeof value === "string") {
    // Mistral spells "required" as "any".
    const choice = oneOf(value, ["auto", "none", "required", "any"], "tool_choice");
    return { type: choice === "any" ? "required" : choice };
  }
  const choice = asObject(value, "tool_choice");
  oneOf(choice.type, ["function"], "tool_choice.type");
  const fn = asObject(choice.function, "tool_choice.function");
  return { type: "tool", name: asString(fn.name, "tool_choice.function.name") };
}

function parseResponseFormat(value: unknown): ResponseFormat {
  const format = asObject(value, "response_format");
  const type = oneOf(format.type, ["text", "json_object", "json_schema"], "response_format.type");
  if (type === "text") return { type: "text" };
  if (type === "json_object") return { type: "json" };
  const spec = asObject(format.json_schema, "response_format.json_schema");
  const result: ResponseFormat = {
    type: "json-schema",
    name: asString(spec.name, "response_format.json_schema.name"),
    schema: spec.schema === undefined ? {} : asObject(spec.schema, "response_format.json_schema.schema"),
  };
  const strict = optBoolean(spec, "strict", "response_format.json_schema");
  if (strict !== undefined) result.strict = strict;
  const description = optString(spec, "description", "response_format.json_schema");
  if (description !== undefined) result.description = description;
  return result;
}

function parseReasoning(body: JsonObject): ReasoningConfig | undefined {
  const effort = body.reasoning_effort;
  const reasoning: ReasoningConfig = {};
  if (effort !== undefined && effort !== null)
    reasoning.effort = oneOf(effort, reasoningEfforts, "reasoning_effort");
  // OpenRouter / Vercel AI Gateway: reasoning {effort | max_tokens, exclude, enabled}.
  if (body.reasoning !== undefined && body.reasoning !== null) {
    const object = asObject(body.reasoning, "reasoning");
    if (object.effort !== undefined)
      reasoning.effort = oneOf(object.effort, reasoningEfforts, "reasoning.effort");
    const budget = optNumber(object, "max_tokens", "reasoning", { min: 0, integer: true });
    if (budget !== undefined) reasoning.budgetTokens = budget;
    const exclude = optBoolean(object, "exclude", "reasoning");
    if (exclude !== undefined) reasoning.exclude = exclude;
    const enabled = optBoolean(object, "enabled", "reasoning");
    if (enabled !== undefined) reasoning.enabled = enabled;
  }
  return Object.keys(reasoning).length === 0 ? undefined : reasoning;
}

function parse(input: unknown): CanonicalRequest {
  const body = asObject(input, "body");
  const system: SystemPart[] = [];
  if (body.messages === undefined) fail("messages", "is required");
  const request: CanonicalRequest = {
    model: optString(body, "model", ""),
    system,
    messages: parseMessages(body.messages, system),
    stream: optBoolean(body, "stream", "") ?? false,
    includeUsage: false,
    extra: {},
  };
  if (isObject(body.stream_options)) {
    request.includeUsage = optBoolean(body.stream_options, "include_usage", "stream_options") ?? false;
  }
  const maxTokens =
    optNumber(body, "max_completion_tokens", "", maxTokensRange) ??
    optNumber(body, "max_tokens", "", maxTokensRange);
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  readSampling(body, request);
  // Not OpenAI's own, but vLLM, Fireworks and OpenRouter take it in this dialect.
  const topK = optNumber(body, "top_k", "", { min: 0, integer: true });
  if (topK !== undefined) request.topK = topK;
  if (body.tools !== undefined && body.tools !== null) request.tools = parseTools(body.tools);
  if (body.tool_choice !== undefined && body.tool_choice !== null)
    request.toolChoice = parseToolChoice(body.tool_choice);
  const parallel = optBoolean(body, "parallel_tool_calls", "");
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  if (body.response_format !== undefined && body.response_format !== null) {
    request.responseFormat = parseResponseFormat(body.response_format);
  }
  const reasoning = parseReasoning(body);
  if (reasoning) request.reasoning = reasoning;
  const user = optString(body, "user", "");
  if (user !== undefined) request.user = user;
  const metadata = optStringMap(body, "metadata", "");
  if (metadata !== undefined) request.metadata = metadata;
  const extra = unknownKeys(body, knownKeys);
  if (extra) request.extra.openai = extra;
  return request;
}

/** Top-level fields `parse` reads once the whole conversation is read (keep in step with it; a test checks). */
export const readAfterMessages: ReadonlySet<string> = new Set([
  "stream",
  "stream_options",
  "max_completion_tokens",
  "max_tokens",
  "temperature",
  "top_p",
  "n",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "stop",
  "top_k",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  "reasoning",
  "user",
  "metadata",
]);

/** A data URL's media checks, as `imageFromUrl` and `checkFile` make them; the path built only for one. */
function checkDataUrl(url: unknown, at: () => string): void {
  if (typeof url !== "string" || !url.startsWith("data:")) return;
  const inline = base64DataUrl(url);
  if (inline) checkBase64Media(inline.data, inline.mediaType, at());
}

/**
 * The fatal refusals of `parse` (an empty conversation, media bytes) alone, over the part of a body its strict
 * parse stopped before reading (at `stoppedAt`): a same-dialect pass-through forwards the rest unread. Parts are
 * read leniently, whatever the message's role.
 */
export function openaiChatRefusal(body: JsonObject, stoppedAt: FieldError): FieldError | undefined {
  const messages = body.messages;
  const from = unreadFrom(stoppedAt.field, "messages", readAfterMessages);
  if (from === undefined || !Array.isArray(messages)) return undefined;
  let index = from;
  let partIndex = 0;
  const imageField = () => `messages[${index}].content[${partIndex}].image_url.url`;
  const fileField = () => `messages[${index}].content[${partIndex}].file.file_data`;
  const result = catchFieldError(() => {
    if (messages.length === 0) refuseNoMessages();
    for (; index < messages.length; index++) {
      const message: unknown = messages[index];
      if (!isObject(message) || !Array.isArray(message.content)) continue;
      const parts: unknown[] = message.content;
      for (partIndex = 0; partIndex < parts.length; partIndex++) {
        const part = parts[partIndex];
        if (!isObject(part)) continue;
        if (part.type === "image_url" && isObject(part.image_url))
          checkDataUrl(part.image_url.url, imageField);
        else if (part.type === "file" && isObject(part.file)) checkDataUrl(part.file.file_data, fileField);
      }
    }
  });
  return result.ok ? undefined : result.error;
}

export function openaiChatToCanonicalRequest(body: unknown): ParseResult<CanonicalRequest> {
  const result = catchFieldError(() => parse(body));
  return result.ok ? { ok: true, request: result.value, warnings: [] } : result;
}
