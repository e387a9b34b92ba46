/**
 * Canonical messages → Gemini `contents` (wire-formats §4.2, §8.1, §8.2). Assistant messages are `model` turns,
 * tool results `functionResponse` parts of a `user` turn, and consecutive turns of one role are merged.
 *
 * Gemini has no call ids: a tool result names its function, which is found through the latest earlier tool
 * call with the result's id (see gemini-call-id.ts). Thought signatures go back on the part they came with
 * (§4.2): a tool call's and a text's from their `signature`; a reasoning part's only when it is Gemini's own
 * (`format` google-…), on the thought part as received, since a signature of another provider would fail
 * Gemini's check. Other reasoning is not sent: Gemini keeps its thinking through the signatures.
 */

import {
  type CanonicalMessage,
  type ContentPart,
  type ImagePart,
  type ToolResultPart,
  toolResultText,
} from "../../canonical/content.js";
import { maxBodyDepth, tooDeepAt } from "../../canonical/json-depth.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import { fail, isObject, type JsonObject, ownEntry } from "../../canonical/validate.js";
import { argumentsObject } from "../anthropic/anthropic-content.js";

type Warn = (field: string, message: string) => void;

/**
 * Google's documented stand-in for a lost signature (https://ai.google.dev/gemini-api/docs/thought-signatures):
 * Gemini 3 refuses a replayed function call without one.
 */
export const skipSignatureValidator = "skip_thought_signature_validator";

export interface ContentsOptions {
  /** Give signature-less tool calls the stand-in (Gemini 3 and later). */
  signatureFallback: boolean;
}

interface Turn {
  role: "user" | "model";
  parts: JsonObject[];
}

const imageTypes: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
};

/** The MIME type told by a URL's file extension. */
function imageTypeOf(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0] ?? "";
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : ownEntry(imageTypes, extension);
}

/**
 * Inline images as `inlineData`; URL images as `fileData` when Gemini can fetch them itself (gs://, and http(s)
 * since Gemini 2.5), anything else is refused. The MIME type of a URL image comes from its extension.
 */
function imagePart(part: ImagePart, field: string, warn: Warn): JsonObject {
  if (part.detail !== undefined) warn(`${field}.detail`, "Gemini has no per-image detail; not sent");
  if (part.source.type === "base64")
    return { inlineData: { mimeType: part.source.mediaType, data: part.source.data } };
  const url = part.source.url;
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (dataUrl) return { inlineData: { mimeType: dataUrl[1], data: dataUrl[2] } };
  if (!/^(gs|https?):\/\//i.test(url))
    fail(`${field}.url`, "Gemini reads images given inline (base64), from gs:// or from http(s) URLs");
  const mimeType = imageTypeOf(url);
  if (mimeType === undefined) {
    warn(field, "the image type cannot be told from its URL; sent without a MIME type (Vertex AI needs one)");
    return { fileData: { fileUri: url } };
  }
  return { fileData: { mimeType, fileUri: url } };
}

/** Gemini's documented keys: `output` for a result, `error` for a failure; a JSON object is the output itself. */
function functionResponse(part: ToolResultPart, name: string): JsonObject {
  const text = toolResultText(part);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
    // Nested past the bound, it would overflow the stack of the upstream body's JSON.stringify: sent as text.
    if (tooDeepAt(value, maxBodyDepth) !== undefined) value = text;
  } catch {
    // Plain text.
  }
  const response = part.isError ? { error: value } : isObject(value) ? value : { output: value };
  return { functionResponse: { name, response } };
}

function warnCache(part: ContentPart, field: string, warn: Warn): void {
  if ("cacheControl" in part && part.cacheControl)
    warn(`${field}.cache_control`, "Gemini caches prompts implicitly; cache_control is not sent");
}

function partLabel(part: ContentPart): string {
  return part.type === "opaque" ? `${part.dialect} ${String(part.value.type)}` : part.type;
}

function userParts(
  message: CanonicalMessage,
  field: string,
  callNames: Map<string, string>,
  warn: Warn,
): JsonObject[] {
  const parts: JsonObject[] = [];
  const after: JsonObject[] = [];
  message.content.forEach((part, index) => {
    const partField = `${field}[${index}]`;
    warnCache(part, partField, warn);
    if (part.type === "text" || part.type === "refusal") parts.push({ text: part.text });
    else if (part.type === "image") parts.push(imagePart(part, partField, warn));
    else if (part.type === "tool-result") {
      const name = callNames.get(part.toolCallId);
      if (name === undefined)
        fail(
          `${partField}.tool_call_id`,
          "no earlier tool call has this id; Gemini needs the function's name",
        );
      parts.push(functionResponse(part, name));
      if (typeof part.content === "string") return;
      part.content.forEach((item, itemIndex) => {
        warnCache(item, `${partField}.content[${itemIndex}]`, warn);
        if (item.type !== "image") return;
        warn(
          partField,
          "an image in a tool result is sent as a part of the same turn, after the function responses",
        );
        after.push(imagePart(item, `${partField}.content[${itemIndex}]`, warn));
      });
    } else warn(partField, `a ${partLabel(part)} part cannot be sent to Gemini in a ${message.role} message`);
  });
  // Function responses first: Gemini pairs them with the calls of the turn before.
  const responses = parts.filter((part) => "functionResponse" in part);
  return [...responses, ...parts.filter((part) => !("functionResponse" in part)), ...after];
}

function modelParts(
  message: CanonicalMessage,
  field: string,
  callNames: Map<string, string>,
  options: ContentsOptions,
  warn: Warn,
): JsonObject[] {
  const parts: JsonObject[] = [];
  const unsigned: string[] = [];
  let droppedReasoning = false;
  // Gemini signs only the first call of a parallel batch; the rest of the batch rightly has no signature.
  let batchSigned = false;
  message.content.forEach((part, index) => {
    const partField = `${field}[${index}]`;
    warnCache(part, partField, warn);
    if (part.type !== "tool-call") batchSigned = false;
    switch (part.type) {
      case "text":
      case "refusal": {
        if (part.text === "" && (part.type === "refusal" || part.signature === undefined)) return;
        const out: JsonObject = { text: part.text };
        if (part.type === "text" && part.signature !== undefined) out.thoughtSignature = part.signature;
        parts.push(out);
        return;
      }
      case "tool-call": {
        callNames.set(part.id, part.name);
        const out: JsonObject = {
          functionCall: { name: part.name, args: argumentsObject(part.arguments, `${partField}.arguments`) },
        };
        if (part.signature !== undefined) {
          out.thoughtSignature = part.signature;
          batchSigned = true;
        } else if (options.signatureFallback && !batchSigned) {
          out.thoughtSignature = skipSignatureValidator;
          unsigned.push(part.name);
        }
        parts.push(out);
        return;
      }
      case "reasoning":
        if (part.signature !== undefined && part.format?.startsWith("google"))
          parts.push({ text: part.text, thought: true, thoughtSignature: part.signature });
        else droppedReasoning = true;
        return;
      case "image":
        parts.push(imagePart(part, partField, warn));
        return;
      default:
        warn(partField, `a ${partLabel(part)} part cannot be sent to Gemini in an assistant message`);
    }
  });
  if (droppedReasoning)
    warn(field, "earlier reasoning is not sent to Gemini (only Gemini's own thought signatures are)");
  if (unsigned.length > 0)
    warn(
      field,
      `tool calls without a Gemini thought signature (${unsigned.join(", ")}) are sent with ${skipSignatureValidator}`,
    );
  return parts;
}

export function geminiContents(
  request: CanonicalRequest,
  options: ContentsOptions,
  warn: Warn,
): JsonObject[] {
  const turns: Turn[] = [];
  const append = (role: Turn["role"], parts: JsonObject[]): void => {
    if (parts.length === 0) return;
    const last = turns[turns.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else turns.push({ role, parts });
  };
  // Tool call id → function name, the latest call winning (ids may repeat across turns).
  const callNames = new Map<string, string>();
  request.messages.forEach((message, index) => {
    const field = `messages[${index}].content`;
    if (message.name !== undefined)
      warn(`messages[${index}].name`, "Gemini has no participant names; not sent");
    if (message.role === "assistant") append("model", modelParts(message, field, callNames, options, warn));
    else append("user", userParts(message, field, callNames, warn));
  });
  if (request.prompt) {
    warn("prompt", "a raw prompt is sent to Gemini as one user message");
    append("user", [{ text: request.prompt.text }]);
    if (request.prompt.suffix !== undefined)
      warn("suffix", "Gemini has no fill-in-the-middle suffix; it is not sent");
  }
  return turns.map((turn) => ({ role: turn.role, parts: turn.parts }));
}
