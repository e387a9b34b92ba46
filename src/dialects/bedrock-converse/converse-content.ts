/**
 * Canonical parts ⇄ Bedrock Converse content blocks (wire-formats §6.5): requests are built strictly (a part
 * Converse cannot take is a field error or a warning), response blocks are read leniently.
 */
import type {
  CacheControl,
  ContentPart,
  ImagePart,
  TextPart,
  ToolResultPart,
} from "../../canonical/content.js";
import { fail, isObject, type JsonObject, ownEntry } from "../../canonical/validate.js";
import { argumentsObject } from "../anthropic/anthropic-content.js";

/**
 * What the model behind Converse is: the request fields Converse passes through (`additionalModelRequestFields`)
 * and a few block fields (`toolResult.status`) depend on it. "anthropic" for Claude, "other" for the rest.
 */
export type ConverseModelFamily = "anthropic" | "other";

/** Reports a setting or part Converse cannot take (a TranslationWarning). */
export type Warn = (field: string, message: string) => void;

/** One canonical part as Converse blocks (a cachePoint follows a cached block), or why it has none. */
export type ConverseBlocks = JsonObject[] | { warning: string };

const imageFormats: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/** Converse marks a cache breakpoint with a block after the cached prefix, not a field on the block. */
export function cachePoint(control: CacheControl): JsonObject {
  return { cachePoint: control.ttl ? { type: "default", ttl: control.ttl } : { type: "default" } };
}

function withCachePoint(block: JsonObject, control: CacheControl | undefined): JsonObject[] {
  return control ? [block, cachePoint(control)] : [block];
}

function imageBlock(part: ImagePart, field: string): JsonObject {
  if (part.source.type === "url")
    fail(
      `${field}.source`,
      "Bedrock Converse takes image bytes only (base64 or a data: URL), not an image URL; download the image and send it inline",
    );
  const format = ownEntry(imageFormats, part.source.mediaType.toLowerCase());
  if (format === undefined)
    fail(
      `${field}.source.media_type`,
      `Bedrock Converse takes png, jpeg, gif or webp images, got ${JSON.stringify(part.source.mediaType)}`,
    );
  return { image: { format, source: { bytes: part.source.data } } };
}

const toolUseIdPattern = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Converse tool-use ids must match `[a-zA-Z0-9_-]{1,64}` (Kimi's `functions.name:0` ids do not): other
 * characters become `_`, the same way for the call and its result, so they still pair up.
 */
export function converseToolUseId(id: string, field: string, warn: Warn): string {
  if (toolUseIdPattern.test(id)) return id;
  const replaced = id.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (!toolUseIdPattern.test(replaced))
    fail(field, `Bedrock Converse tool ids are 1 to 64 letters, digits, _ or -; got ${id.length} characters`);
  warn(
    field,
    `the tool id ${JSON.stringify(id)} is sent as ${JSON.stringify(replaced)} (Converse allows only [a-zA-Z0-9_-])`,
  );
  return replaced;
}

function toolResultBlock(
  part: ToolResultPart,
  field: string,
  family: ConverseModelFamily,
  warn: Warn,
): JsonObject[] {
  const items: Array<TextPart | ImagePart> =
    typeof part.content === "string" ? [{ type: "text", text: part.content }] : part.content;
  // Converse refuses empty text blocks here too ("text content blocks must be non-empty"), so an empty result
  // is sent with no content blocks.
  const content = items.flatMap((item, index) => {
    if (item.type === "image") return [imageBlock(item, `${field}.content[${index}]`)];
    return item.text === "" ? [] : [{ text: item.text }];
  });
  const result: JsonObject = {
    toolUseId: converseToolUseId(part.toolCallId, `${field}.tool_call_id`, warn),
    content,
  };
  if (part.isError !== undefined) {
    // Only Claude and Nova take `status` (docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolResultBlock.html).
    if (family === "anthropic") result.status = part.isError ? "error" : "success";
    else if (part.isError)
      warn(`${field}.is_error`, "only Claude models on Converse take a tool result status; not sent");
  }
  // A breakpoint inside a tool result becomes one after it: Converse has no cachePoint inside toolResult content.
  const control =
    part.cacheControl ??
    (typeof part.content === "string"
      ? undefined
      : part.content.find((item) => item.cacheControl)?.cacheControl);
  return withCachePoint({ toolResult: result }, control);
}

/**
 * One part → Converse blocks for a message. Reasoning without a signature came from another provider and
 * would fail Claude's verification (wire-formats §8.5); redacted reasoning must be Anthropic's.
 */
export function converseBlocks(
  part: ContentPart,
  field: string,
  family: ConverseModelFamily,
  warn: Warn,
): ConverseBlocks {
  switch (part.type) {
    case "text":
    case "refusal":
      // Converse rejects empty text blocks ("The text field in the ContentBlock object is blank"); a recorded
      // request shows whitespace is accepted.
      if (part.text === "") return { warning: "an empty text part is not sent: Converse rejects empty text" };
      return withCachePoint({ text: part.text }, part.type === "text" ? part.cacheControl : undefined);
    case "image":
      if (part.detail !== undefined)
        warn(`${field}.detail`, "Bedrock Converse has no image detail; not sent");
      return withCachePoint(imageBlock(part, field), part.cacheControl);
    case "tool-call":
      return withCachePoint(
        {
          toolUse: {
            toolUseId: converseToolUseId(part.id, `${field}.id`, warn),
            name: part.name,
            input: argumentsObject(part.arguments, `${field}.arguments`),
          },
        },
        part.cacheControl,
      );
    case "tool-result":
      return toolResultBlock(part, field, family, warn);
    case "reasoning":
      if (part.signature === undefined)
        return { warning: "reasoning without a signature cannot be sent back through Converse; dropped" };
      return [{ reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } }];
    case "redacted-reasoning":
      if (part.format !== undefined && !part.format.startsWith("anthropic"))
        return { warning: `encrypted ${part.format} reasoning cannot be sent through Converse; dropped` };
      return [{ reasoningContent: { redactedContent: part.data } }];
    case "opaque":
      return {
        warning: `the ${part.dialect} ${String(part.value.type)} part has no Bedrock Converse equivalent; dropped`,
      };
  }
}

/** A response block, read leniently; blocks with no canonical meaning (citations, new kinds) are skipped. */
export function readConverseBlock(value: unknown): ContentPart | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.text === "string") return { type: "text", text: value.text };
  if (isObject(value.toolUse)) {
    const toolUse = value.toolUse;
    return {
      type: "tool-call",
      id: String(toolUse.toolUseId ?? ""),
      name: String(toolUse.name ?? ""),
      arguments: JSON.stringify(isObject(toolUse.input) ? toolUse.input : {}),
    };
  }
  if (isObject(value.reasoningContent)) {
    const reasoning = value.reasoningContent;
    if (typeof reasoning.redactedContent === "string")
      return { type: "redacted-reasoning", data: reasoning.redactedContent };
    const text: JsonObject = isObject(reasoning.reasoningText) ? reasoning.reasoningText : {};
    const part: ContentPart = { type: "reasoning", text: typeof text.text === "string" ? text.text : "" };
    if (typeof text.signature === "string") part.signature = text.signature;
    return part;
  }
  return undefined;
}
