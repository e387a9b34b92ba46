/** Anthropic content blocks ⇄ canonical parts, for requests (strict) and responses (lenient via the same shapes). */
import type {
  CacheControl,
  ContentPart,
  ImagePart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
} from "../../canonical/content.js";
import { maxBodyDepth, tooDeepAt } from "../../canonical/json-depth.js";
import { checkBase64Media } from "../../canonical/media-bytes.js";
import {
  asArray,
  asObject,
  asString,
  fail,
  fieldPath,
  isObject,
  type JsonObject,
  oneOf,
  optBoolean,
} from "../../canonical/validate.js";

/** Block types we carry through without a canonical meaning (documents, server tools…). */
const opaqueBlockTypes = [
  "document",
  "search_result",
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "tool_search_tool_result",
  "mcp_tool_use",
  "mcp_tool_result",
  "container_upload",
] as const;

const blockTypes = [
  "text",
  "image",
  "tool_use",
  "tool_result",
  "thinking",
  "redacted_thinking",
  ...opaqueBlockTypes,
] as const;

export function cacheControl(block: JsonObject, field: string): CacheControl | undefined {
  if (block.cache_control === undefined || block.cache_control === null) return undefined;
  const control = asObject(block.cache_control, fieldPath(field, "cache_control"));
  oneOf(control.type, ["ephemeral"], fieldPath(field, "cache_control.type"));
  const result: CacheControl = { type: "ephemeral" };
  if (control.ttl !== undefined)
    result.ttl = oneOf(control.ttl, ["5m", "1h"] as const, fieldPath(field, "cache_control.ttl"));
  return result;
}

function withCache<T extends { cacheControl?: CacheControl }>(part: T, control: CacheControl | undefined): T {
  if (control) part.cacheControl = control;
  return part;
}

function parseImage(block: JsonObject, field: string): ImagePart | undefined {
  const sourceField = fieldPath(field, "source");
  const source = asObject(block.source, sourceField);
  const type = oneOf(source.type, ["base64", "url", "file"], fieldPath(sourceField, "type"));
  if (type === "file") return undefined;
  const part: ImagePart =
    type === "url"
      ? { type: "image", source: { type: "url", url: asString(source.url, fieldPath(sourceField, "url")) } }
      : { type: "image", source: base64Source(source, sourceField) };
  return withCache(part, cacheControl(block, field));
}

/** A base64 `source` whose data must be what its media type says. */
function base64Source(
  source: JsonObject,
  field: string,
): { type: "base64"; mediaType: string; data: string } {
  const mediaType = asString(source.media_type, fieldPath(field, "media_type"));
  const dataField = fieldPath(field, "data");
  const data = asString(source.data, dataField);
  checkBase64Media(data, mediaType, dataField);
  return { type: "base64", mediaType, data };
}

/** Documents stay opaque, but a base64 PDF's bytes are checked like an image's. */
function checkDocument(block: JsonObject, field: string): void {
  if (isObject(block.source) && block.source.type === "base64")
    base64Source(block.source, fieldPath(field, "source"));
}

/**
 * The media checks `parseAnthropicBlock` makes, alone, over blocks read leniently (nothing else checked): for a
 * body a same-dialect upstream takes unparsed. `at` names a block; paths are built only for media found.
 */
export function checkAnthropicMedia(blocks: readonly unknown[], at: (index: number) => string): void {
  for (let index = 0; index < blocks.length; index++) {
    const block = blocks[index];
    if (!isObject(block)) continue;
    if (block.type === "image" || block.type === "document") checkMediaSource(block.source, at, index, "");
    else if (block.type === "tool_result" && Array.isArray(block.content)) {
      const content: unknown[] = block.content;
      for (let item = 0; item < content.length; item++) {
        const part = content[item];
        if (isObject(part) && part.type === "image")
          checkMediaSource(part.source, at, index, `.content[${item}]`);
      }
    }
  }
}

function checkMediaSource(
  source: unknown,
  at: (index: number) => string,
  index: number,
  inner: string,
): void {
  if (!isObject(source) || source.type !== "base64") return;
  const { media_type: mediaType, data } = source;
  if (typeof mediaType === "string" && typeof data === "string")
    checkBase64Media(data, mediaType, `${at(index)}${inner}.source.data`);
}

function parseToolResultContent(value: unknown, field: string): ToolResultPart["content"] {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return asArray(value, field).map((item, index) => {
    const itemField = fieldPath(field, index);
    const block = asObject(item, itemField);
    const type = oneOf(block.type, ["text", "image"], fieldPath(itemField, "type"));
    if (type === "text") {
      return withCache<TextPart>(
        { type: "text", text: asString(block.text, fieldPath(itemField, "text")) },
        cacheControl(block, itemField),
      );
    }
    const image = parseImage(block, itemField);
    if (!image)
      fail(fieldPath(itemField, "source.type"), "file images are not supported inside tool results");
    return image;
  });
}

/** One request block → one part, strictly. */
export function parseAnthropicBlock(value: unknown, field: string): ContentPart {
  const block = asObject(value, field);
  const type = oneOf(block.type, blockTypes, fieldPath(field, "type"));
  const control = cacheControl(block, field);
  switch (type) {
    case "text":
      return withCache<TextPart>(
        { type: "text", text: asString(block.text, fieldPath(field, "text")) },
        control,
      );
    case "image":
      return parseImage(block, field) ?? { type: "opaque", dialect: "anthropic", value: block };
    case "tool_use": {
      const input = block.input === undefined ? {} : asObject(block.input, fieldPath(field, "input"));
      return withCache<ToolCallPart>(
        {
          type: "tool-call",
          id: asString(block.id, fieldPath(field, "id")),
          name: asString(block.name, fieldPath(field, "name")),
          arguments: JSON.stringify(input),
        },
        control,
      );
    }
    case "tool_result": {
      const part: ToolResultPart = {
        type: "tool-result",
        toolCallId: asString(block.tool_use_id, fieldPath(field, "tool_use_id")),
        content: parseToolResultContent(block.content, fieldPath(field, "content")),
      };
      const isError = optBoolean(block, "is_error", field);
      if (isError !== undefined) part.isError = isError;
      return withCache(part, control);
    }
    case "thinking":
      return {
        type: "reasoning",
        text: asString(block.thinking, fieldPath(field, "thinking")),
        signature: asString(block.signature, fieldPath(field, "signature")),
      };
    case "redacted_thinking":
      return { type: "redacted-reasoning", data: asString(block.data, fieldPath(field, "data")) };
    case "document":
      checkDocument(block, field);
      return { type: "opaque", dialect: "anthropic", value: block };
    default:
      return { type: "opaque", dialect: "anthropic", value: block };
  }
}

/** Response blocks, read leniently: unknown blocks are kept opaque. */
export function readAnthropicBlock(value: unknown): ContentPart | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case "text":
      return { type: "text", text: typeof value.text === "string" ? value.text : "" };
    case "tool_use":
      return {
        type: "tool-call",
        id: String(value.id ?? ""),
        name: String(value.name ?? ""),
        arguments: JSON.stringify(isObject(value.input) ? value.input : {}),
      };
    case "thinking": {
      const part: ContentPart = {
        type: "reasoning",
        text: typeof value.thinking === "string" ? value.thinking : "",
      };
      if (typeof value.signature === "string") part.signature = value.signature;
      return part;
    }
    case "redacted_thinking":
      return { type: "redacted-reasoning", data: String(value.data ?? "") };
    default:
      return { type: "opaque", dialect: "anthropic", value };
  }
}

function withCacheControl(block: JsonObject, control: CacheControl | undefined): JsonObject {
  if (control)
    block.cache_control = control.ttl ? { type: "ephemeral", ttl: control.ttl } : { type: "ephemeral" };
  return block;
}

function imageBlock(part: ImagePart): JsonObject {
  const source =
    part.source.type === "url"
      ? { type: "url", url: part.source.url }
      : { type: "base64", media_type: part.source.mediaType, data: part.source.data };
  return withCacheControl({ type: "image", source }, part.cacheControl);
}

/** Tool-call arguments as the object Anthropic wants; empty means `{}`. Invalid JSON is the caller's error. */
export function argumentsObject(text: string, field: string): JsonObject {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail(field, "tool call arguments are not valid JSON");
  }
  if (!isObject(value)) fail(field, "tool call arguments must be a JSON object");
  // A string escapes the body's nesting bound until it is parsed here; the upstream body is stringified next.
  if (tooDeepAt(value, maxBodyDepth) !== undefined)
    fail(field, `tool call arguments are nested more than ${maxBodyDepth} levels deep`);
  return value;
}

/**
 * One part → one Anthropic block, or a reason why it cannot be one (the caller warns). Reasoning without a
 * signature came from another provider and would fail Anthropic's verification (wire-formats §8.5).
 */
export function anthropicBlock(part: ContentPart, field: string): JsonObject | string {
  switch (part.type) {
    case "text":
      return withCacheControl({ type: "text", text: part.text }, part.cacheControl);
    case "refusal":
      return { type: "text", text: part.text };
    case "image":
      return imageBlock(part);
    case "tool-call":
      return withCacheControl(
        {
          type: "tool_use",
          id: part.id,
          name: part.name,
          input: argumentsObject(part.arguments, `${field}.arguments`),
        },
        part.cacheControl,
      );
    case "tool-result": {
      const content =
        typeof part.content === "string"
          ? part.content
          : part.content.map((item) =>
              item.type === "text"
                ? withCacheControl({ type: "text", text: item.text }, item.cacheControl)
                : imageBlock(item),
            );
      const block: JsonObject = { type: "tool_result", tool_use_id: part.toolCallId, content };
      if (part.isError !== undefined) block.is_error = part.isError;
      return withCacheControl(block, part.cacheControl);
    }
    case "reasoning":
      if (part.signature === undefined)
        return "reasoning without an Anthropic signature cannot be sent back; dropped";
      return { type: "thinking", thinking: part.text, signature: part.signature };
    case "redacted-reasoning":
      if (part.format !== undefined && !part.format.startsWith("anthropic"))
        return `encrypted ${part.format} reasoning is not Anthropic's; dropped`;
      return { type: "redacted_thinking", data: part.data };
    case "opaque":
      return part.dialect === "anthropic"
        ? part.value
        : `the OpenAI ${String(part.value.type)} part has no Anthropic equivalent; dropped`;
  }
}
