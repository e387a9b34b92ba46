/** OpenAI Embeddings request/response ⇄ canonical (Gemini and Bedrock embeddings will map to the same form). */
import type { CanonicalEmbeddingRequest, CanonicalEmbeddingResponse } from "../../canonical/embeddings.js";
import type { CanonicalError, ParseResult } from "../../canonical/errors.js";
import { tokenCount } from "../../canonical/usage.js";
import {
  asArray,
  asNumber,
  asObject,
  asString,
  catchFieldError,
  fail,
  fieldPath,
  isObject,
  type JsonObject,
  oneOf,
  optNumber,
  optString,
  unknownKeys,
} from "../../canonical/validate.js";
import { openaiErrorToCanonical } from "./openai-errors.js";

const knownKeys = new Set(["model", "input", "encoding_format", "dimensions", "user"]);

function parseInput(value: unknown): { input: string[] | number[][]; single: boolean } {
  if (typeof value === "string") {
    if (value === "") fail("input", "must not be empty");
    return { input: [value], single: true };
  }
  const items = asArray(value, "input");
  if (items.length === 0) fail("input", "must not be empty");
  if (items.length > 2048) fail("input", `at most 2048 inputs are allowed, got ${items.length}`);
  if (typeof items[0] === "number") {
    return {
      input: [
        items.map((item, index) => asNumber(item, fieldPath("input", index), { integer: true, min: 0 })),
      ],
      single: true,
    };
  }
  if (Array.isArray(items[0])) {
    const lists = items.map((item, index) =>
      asArray(item, fieldPath("input", index)).map((token, tokenIndex) =>
        asNumber(token, fieldPath(fieldPath("input", index), tokenIndex), { integer: true, min: 0 }),
      ),
    );
    return { input: lists, single: false };
  }
  const strings = items.map((item, index) => {
    const text = asString(item, fieldPath("input", index));
    if (text === "") fail(fieldPath("input", index), "must not be empty");
    return text;
  });
  return { input: strings, single: false };
}

export function openaiEmbeddingsToCanonicalRequest(input: unknown): ParseResult<CanonicalEmbeddingRequest> {
  const result = catchFieldError((): CanonicalEmbeddingRequest => {
    const body = asObject(input, "body");
    if (body.input === undefined || body.input === null) fail("input", "is required");
    const request: CanonicalEmbeddingRequest = {
      model: optString(body, "model", ""),
      ...parseInput(body.input),
      extra: {},
    };
    if (body.encoding_format !== undefined && body.encoding_format !== null) {
      request.encodingFormat = oneOf(body.encoding_format, ["float", "base64"] as const, "encoding_format");
    }
    const dimensions = optNumber(body, "dimensions", "", { min: 1, integer: true });
    if (dimensions !== undefined) request.dimensions = dimensions;
    const user = optString(body, "user", "");
    if (user !== undefined) request.user = user;
    const extra = unknownKeys(body, knownKeys);
    if (extra) request.extra.openai = extra;
    return request;
  });
  return result.ok ? { ok: true, request: result.value, warnings: [] } : result;
}

export function canonicalToOpenAIEmbeddingsRequest(
  request: CanonicalEmbeddingRequest,
  settings: { model: string },
): { body: JsonObject } {
  const body: JsonObject = {
    model: settings.model,
    input: request.single ? request.input[0] : request.input,
  };
  if (request.encodingFormat !== undefined) body.encoding_format = request.encodingFormat;
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user !== undefined) body.user = request.user;
  for (const [key, value] of Object.entries(request.extra.openai ?? {}))
    if (!(key in body)) body[key] = value;
  return { body };
}

export function openaiEmbeddingsResponseToCanonical(
  body: unknown,
  status = 200,
): { ok: true; response: CanonicalEmbeddingResponse } | { ok: false; error: CanonicalError } {
  if (!isObject(body) || isObject(body.error))
    return { ok: false, error: openaiErrorToCanonical(status === 200 ? 502 : status, body) };
  const data = (Array.isArray(body.data) ? body.data : []).filter(isObject).map((item, position) => ({
    index: typeof item.index === "number" ? item.index : position,
    embedding:
      typeof item.embedding === "string"
        ? item.embedding
        : Array.isArray(item.embedding)
          ? (item.embedding as number[])
          : [],
  }));
  const usage = isObject(body.usage) ? body.usage : {};
  return {
    ok: true,
    response: { model: String(body.model ?? ""), data, inputTokens: tokenCount(usage.prompt_tokens) ?? 0 },
  };
}

export function canonicalToOpenAIEmbeddingsResponse(response: CanonicalEmbeddingResponse): JsonObject {
  return {
    object: "list",
    data: response.data.map((item) => ({
      object: "embedding",
      index: item.index,
      embedding: item.embedding,
    })),
    model: response.model,
    usage: { prompt_tokens: response.inputTokens, total_tokens: response.inputTokens },
  };
}
