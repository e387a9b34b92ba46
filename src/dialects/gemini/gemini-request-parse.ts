/**
 * A Gemini `generateContent` body from a client (our API input: Cody Gateway's `/v1/completions/google`,
 * reference/cody.md §4.2) → canonical, strictly validated. Cody's body is Gemini's plus `model` and a
 * routing-only `stream` flag. Text and inline or file images are read; tools and function parts are refused
 * with a message that says so (Cody Gateway's own type had no place for them and dropped them silently).
 */
import type { CanonicalMessage, ContentPart, SystemPart } from "../../canonical/content.js";
import type { ParseResult, TranslationWarning } from "../../canonical/errors.js";
import { checkBase64Media } from "../../canonical/media-bytes.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import {
  asArray,
  asObject,
  asString,
  catchFieldError,
  fail,
  fieldPath,
  type JsonObject,
  maxTokensRange,
  oneOf,
  optBoolean,
  optNumber,
  optStringList,
  refuse,
} from "../../canonical/validate.js";

type Warn = (field: string, message: string) => void;

const knownKeys = new Set([
  "model",
  "stream",
  "contents",
  "systemInstruction",
  "generationConfig",
  "safetySettings",
  "tools",
  "toolConfig",
]);

const generationKeys = new Set([
  "temperature",
  "topP",
  "topK",
  "stopSequences",
  "maxOutputTokens",
  "candidateCount",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "responseMimeType",
]);

function parsePart(value: unknown, field: string): ContentPart {
  const part = asObject(value, field);
  if (typeof part.text === "string") {
    if (part.thought === true) fail(fieldPath(field, "thought"), "thought parts cannot be sent back");
    // A signature Gemini gave goes back to it unchanged.
    if (typeof part.thoughtSignature === "string")
      return { type: "text", text: part.text, signature: part.thoughtSignature };
    return { type: "text", text: part.text };
  }
  if (part.inlineData !== undefined) {
    const at = fieldPath(field, "inlineData");
    const inline = asObject(part.inlineData, at);
    const mediaType = asString(inline.mimeType, fieldPath(at, "mimeType"));
    const data = asString(inline.data, fieldPath(at, "data"));
    if (!mediaType.startsWith("image/"))
      fail(fieldPath(at, "mimeType"), `only images can be sent, got ${mediaType}`);
    checkBase64Media(data, mediaType, fieldPath(at, "data"));
    return { type: "image", source: { type: "base64", mediaType, data } };
  }
  if (part.fileData !== undefined) {
    const at = fieldPath(field, "fileData");
    const file = asObject(part.fileData, at);
    return { type: "image", source: { type: "url", url: asString(file.fileUri, fieldPath(at, "fileUri")) } };
  }
  if (part.functionCall !== undefined || part.functionResponse !== undefined)
    fail(field, "function calls and responses are not supported on this route");
  return fail(field, "expected a part with text, inlineData or fileData");
}

function parseParts(value: unknown, field: string): ContentPart[] {
  const parts = asArray(value, field).map((item, index) => parsePart(item, fieldPath(field, index)));
  if (parts.length === 0) fail(field, "must not be empty");
  return parts;
}

function parseContents(value: unknown): CanonicalMessage[] {
  if (value === undefined || value === null) return refuse("contents", "is required");
  const contents = asArray(value, "contents");
  if (contents.length === 0) refuse("contents", "must not be empty: send at least one turn");
  return contents.map((item, index) => {
    const field = fieldPath("contents", index);
    const turn = asObject(item, field);
    // Gemini reads a turn without a role as the user's.
    const role =
      turn.role === undefined || turn.role === null
        ? "user"
        : oneOf(turn.role, ["user", "model"] as const, fieldPath(field, "role"));
    return {
      role: role === "model" ? "assistant" : "user",
      content: parseParts(turn.parts, fieldPath(field, "parts")),
    };
  });
}

/** Gemini's Content object, or a plain string: what a Sourcegraph instance sends (its type has a string field). */
function parseSystem(value: unknown): SystemPart[] {
  if (value === undefined || value === null || value === "") return [];
  if (typeof value === "string") return [{ type: "text", text: value }];
  const instruction = asObject(value, "systemInstruction");
  return parseParts(instruction.parts, "systemInstruction.parts").map((part, index) => {
    if (part.type !== "text") fail(`systemInstruction.parts[${index}]`, "expected a text part");
    return { type: "text", text: part.text };
  });
}

function readGenerationConfig(value: unknown, request: CanonicalRequest, warn: Warn): void {
  if (value === undefined || value === null) return;
  const base = "generationConfig";
  const config = asObject(value, base);
  const maxTokens = optNumber(config, "maxOutputTokens", base, maxTokensRange);
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  const temperature = optNumber(config, "temperature", base, { min: 0, max: 2 });
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optNumber(config, "topP", base, { min: 0, max: 1 });
  if (topP !== undefined) request.topP = topP;
  const topK = optNumber(config, "topK", base, { min: 1, integer: true });
  if (topK !== undefined) request.topK = topK;
  const stop = optStringList(config, "stopSequences", base, 5);
  if (stop !== undefined && stop.length > 0) request.stopSequences = stop;
  const candidates = optNumber(config, "candidateCount", base, { min: 1, max: 1, integer: true });
  if (candidates !== undefined) request.choices = candidates;
  const seed = optNumber(config, "seed", base, { integer: true });
  if (seed !== undefined) request.seed = seed;
  const presence = optNumber(config, "presencePenalty", base);
  if (presence !== undefined) request.presencePenalty = presence;
  const frequency = optNumber(config, "frequencyPenalty", base);
  if (frequency !== undefined) request.frequencyPenalty = frequency;
  const mime = config.responseMimeType;
  if (mime === "application/json") request.responseFormat = { type: "json" };
  else if (mime !== undefined && mime !== null && mime !== "text/plain")
    fail(`${base}.responseMimeType`, `expected application/json or text/plain, got ${String(mime)}`);
  for (const key of Object.keys(config))
    if (!generationKeys.has(key)) warn(`${base}.${key}`, "not supported on this route; not sent");
}

function parse(body: JsonObject, warn: Warn): CanonicalRequest {
  if (body.model === undefined || body.model === null) fail("model", "is required");
  if (body.tools !== undefined || body.toolConfig !== undefined)
    fail(body.tools !== undefined ? "tools" : "toolConfig", "tools are not supported on this route");
  const request: CanonicalRequest = {
    model: asString(body.model, "model"),
    system: parseSystem(body.systemInstruction),
    messages: parseContents(body.contents),
    stream: optBoolean(body, "stream", "") ?? false,
    // Gemini's answers always carry usageMetadata.
    includeUsage: true,
    extra: {},
  };
  readGenerationConfig(body.generationConfig, request, warn);
  if (body.safetySettings !== undefined && body.safetySettings !== null) {
    asArray(body.safetySettings, "safetySettings");
    warn("safetySettings", "safety settings have no equivalent across providers; not sent");
  }
  for (const key of Object.keys(body))
    if (!knownKeys.has(key)) warn(key, "not supported on this route; not sent");
  return request;
}

export function geminiToCanonicalRequest(input: unknown): ParseResult<CanonicalRequest> {
  const warnings: TranslationWarning[] = [];
  const warn: Warn = (field, message) => warnings.push({ field, message });
  const result = catchFieldError(() => parse(asObject(input, "body"), warn));
  return result.ok ? { ok: true, request: result.value, warnings } : result;
}
