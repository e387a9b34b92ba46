/** Anthropic Messages (and count_tokens) request (our API input) → canonical, strictly validated. */
import type { CanonicalMessage, ContentPart, SystemPart } from "../../canonical/content.js";
import type { FieldError, ParseResult } from "../../canonical/errors.js";
import {
  type CanonicalRequest,
  type CanonicalTool,
  type ReasoningConfig,
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
  optStringList,
  refuse,
  unknownKeys,
  unreadFrom,
} from "../../canonical/validate.js";
import { cacheControl, checkAnthropicMedia, parseAnthropicBlock } from "./anthropic-content.js";

const knownKeys = new Set([
  "model",
  "max_tokens",
  "messages",
  "system",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "stream",
  "metadata",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
]);

/** Keys of a client tool that the canonical form carries; the rest (`defer_loading`…) ride along as extras. */
const toolKeys = new Set(["type", "name", "description", "input_schema", "strict", "cache_control"]);

const refuseNoMessages = () => refuse("messages", "must not be empty: send at least one message");

function parseSystem(value: unknown, at = "system"): SystemPart[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [{ type: "text", text: value }];
  return asArray(value, at).map((item, index) => {
    const field = fieldPath(at, index);
    const part = parseAnthropicBlock(item, field);
    if (part.type !== "text") fail(fieldPath(field, "type"), "expected one of text");
    return part;
  });
}

/**
 * Anthropic carries tool results inside user turns; canonically they are tool messages. A user turn
 * `[tool_result, tool_result, text]` becomes a tool message and a user message (and is merged back on the
 * way out). System messages inside `messages` (Claude Code sends them mid-conversation, with the
 * `mid-conversation-tool-changes` beta) join the system prompt, in order: other dialects have one.
 */
function parseMessages(value: unknown, system: SystemPart[]): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  const items = asArray(value, "messages");
  if (items.length === 0) refuseNoMessages();
  items.forEach((item, index) => {
    const field = fieldPath("messages", index);
    const message = asObject(item, field);
    const role = oneOf(message.role, ["user", "assistant", "system"], fieldPath(field, "role"));
    if (role === "system") {
      system.push(...parseSystem(message.content, fieldPath(field, "content")));
      return;
    }
    const contentField = fieldPath(field, "content");
    const parts: ContentPart[] =
      typeof message.content === "string"
        ? [{ type: "text", text: message.content }]
        : asArray(message.content, contentField).map((block, blockIndex) =>
            parseAnthropicBlock(block, fieldPath(contentField, blockIndex)),
          );
    if (role === "assistant") {
      messages.push({ role, content: parts });
      return;
    }
    let current: CanonicalMessage | undefined;
    for (const part of parts) {
      const partRole = part.type === "tool-result" ? "tool" : "user";
      if (current?.role !== partRole) {
        current = { role: partRole, content: [] };
        messages.push(current);
      }
      current.content.push(part);
    }
    if (parts.length === 0) messages.push({ role: "user", content: [] });
  });
  return messages;
}

function parseTools(value: unknown): CanonicalTool[] {
  return asArray(value, "tools").map((item, index): CanonicalTool => {
    const field = fieldPath("tools", index);
    const tool = asObject(item, field);
    // Versioned server tools (`web_search_20250305`…) and client tools with a type other than custom.
    if (tool.type !== undefined && tool.type !== null && tool.type !== "custom") {
      return { type: "opaque", dialect: "anthropic", value: tool };
    }
    const canonical: CanonicalTool = {
      type: "function",
      name: asString(tool.name, fieldPath(field, "name")),
      inputSchema: asObject(tool.input_schema, fieldPath(field, "input_schema")),
    };
    const description = optString(tool, "description", field);
    if (description !== undefined) canonical.description = description;
    const strict = optBoolean(tool, "strict", field);
    if (strict !== undefined) canonical.strict = strict;
    const control = cacheControl(tool, field);
    if (control) canonical.cacheControl = control;
    let extra: Record<string, unknown> | undefined;
    for (const key in tool) {
      if (toolKeys.has(key)) continue;
      extra ??= {};
      extra[key] = tool[key];
    }
    if (extra) canonical.extra = { dialect: "anthropic", fields: extra };
    return canonical;
  });
}

function parseToolChoice(value: unknown, request: CanonicalRequest): ToolChoice {
  const choice = asObject(value, "tool_choice");
  const type = oneOf(choice.type, ["auto", "any", "tool", "none"], "tool_choice.type");
  const disable = optBoolean(choice, "disable_parallel_tool_use", "tool_choice");
  if (disable !== undefined) request.parallelToolCalls = !disable;
  if (type === "tool") return { type: "tool", name: asString(choice.name, "tool_choice.name") };
  return { type: type === "any" ? "required" : type };
}

/** `thinking` (`display` only changes what Anthropic returns and is not carried). */
function parseThinking(value: unknown): ReasoningConfig {
  const thinking = asObject(value, "thinking");
  const type = oneOf(thinking.type, ["enabled", "disabled", "adaptive"], "thinking.type");
  if (type === "disabled") return { enabled: false };
  if (type === "adaptive") return { enabled: true, adaptive: true };
  const budget = optNumber(thinking, "budget_tokens", "thinking", { min: 1024, integer: true });
  if (budget === undefined) fail("thinking.budget_tokens", "is required when thinking is enabled");
  return { enabled: true, budgetTokens: budget };
}

/** `output_config.effort` is the reasoning effort; its other settings have no canonical meaning. */
function parseOutputConfig(value: unknown, request: CanonicalRequest): void {
  const { effort, ...rest } = asObject(value, "output_config");
  if (effort !== undefined && effort !== null) {
    request.reasoning = {
      ...request.reasoning,
      effort: oneOf(effort, reasoningEfforts, "output_config.effort"),
    };
  }
  if (Object.keys(rest).length > 0)
    request.extra.anthropic = { ...request.extra.anthropic, output_config: rest };
}

function parse(input: unknown, countTokens: boolean): CanonicalRequest {
  const body = asObject(input, "body");
  if (body.messages === undefined) fail("messages", "is required");
  const system = parseSystem(body.system);
  const request: CanonicalRequest = {
    model: optString(body, "model", ""),
    system,
    messages: parseMessages(body.messages, system),
    stream: countTokens ? false : (optBoolean(body, "stream", "") ?? false),
    // Anthropic streams always carry usage.
    includeUsage: true,
    extra: {},
  };
  const maxTokens = optNumber(body, "max_tokens", "", maxTokensRange);
  if (maxTokens === undefined && !countTokens) fail("max_tokens", "is required");
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  const temperature = optNumber(body, "temperature", "", { min: 0, max: 1 });
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optNumber(body, "top_p", "", { min: 0, max: 1 });
  if (topP !== undefined) request.topP = topP;
  const topK = optNumber(body, "top_k", "", { min: 0, integer: true });
  if (topK !== undefined) request.topK = topK;
  const stop = optStringList(body, "stop_sequences", "");
  if (stop !== undefined) request.stopSequences = stop;
  if (body.tools !== undefined && body.tools !== null) request.tools = parseTools(body.tools);
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    request.toolChoice = parseToolChoice(body.tool_choice, request);
  }
  if (body.thinking !== undefined && body.thinking !== null) request.reasoning = parseThinking(body.thinking);
  if (body.output_config !== undefined && body.output_config !== null)
    parseOutputConfig(body.output_config, request);
  if (body.metadata !== undefined && body.metadata !== null) {
    const metadata: JsonObject = asObject(body.metadata, "metadata");
    const user = optString(metadata, "user_id", "metadata");
    if (user !== undefined) request.user = user;
  }
  const extra = unknownKeys(body, knownKeys);
  if (extra) request.extra.anthropic = { ...request.extra.anthropic, ...extra };
  return request;
}

/** Top-level fields `parse` reads once the whole conversation is read (keep in step with it; a test checks). */
export const readAfterMessages: ReadonlySet<string> = new Set([
  "stream",
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
  "metadata",
]);

/**
 * The fatal refusals of `parse` (an empty conversation, media bytes) alone, over the part of a body its strict
 * parse stopped before reading (at `stoppedAt`): a same-dialect pass-through forwards the rest unread.
 */
export function anthropicRefusal(body: JsonObject, stoppedAt: FieldError): FieldError | undefined {
  const messages = body.messages;
  const from = unreadFrom(stoppedAt.field, "messages", readAfterMessages);
  if (from === undefined || !Array.isArray(messages)) return undefined;
  let index = from;
  const at = (block: number) => `messages[${index}].content[${block}]`;
  const result = catchFieldError(() => {
    if (messages.length === 0) refuseNoMessages();
    // `system` is read before the messages.
    if (Array.isArray(body.system) && !stoppedAt.field.startsWith("messages"))
      checkAnthropicMedia(body.system, (block) => `system[${block}]`);
    for (; index < messages.length; index++) {
      const message: unknown = messages[index];
      if (isObject(message) && Array.isArray(message.content)) checkAnthropicMedia(message.content, at);
    }
  });
  return result.ok ? undefined : result.error;
}

export function anthropicToCanonicalRequest(body: unknown): ParseResult<CanonicalRequest> {
  const result = catchFieldError(() => parse(body, false));
  return result.ok ? { ok: true, request: result.value, warnings: [] } : result;
}

/** `POST /v1/messages/count_tokens`: the Messages body without `max_tokens`/`stream`. */
export function anthropicCountTokensToCanonicalRequest(body: unknown): ParseResult<CanonicalRequest> {
  const result = catchFieldError(() => parse(body, true));
  return result.ok ? { ok: true, request: result.value, warnings: [] } : result;
}
