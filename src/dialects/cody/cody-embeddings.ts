/**
 * Cody Gateway's embeddings API (reference/cody.md §1.6) ⇄ canonical embeddings: `POST /v1/embeddings` takes
 * `{model, input: [string], isQuery}` and answers `{embeddings: [{index, data}], model, dimensions}`;
 * `GET /v1/embeddings/models` lists `{name, dimensions, enabled, deprecated}`.
 */
import type { CanonicalEmbeddingRequest, CanonicalEmbeddingResponse } from "../../canonical/embeddings.js";
import type { ParseResult, TranslationWarning } from "../../canonical/errors.js";
import {
  asArray,
  asObject,
  asString,
  catchFieldError,
  fail,
  fieldPath,
  optBoolean,
  ownEntry,
} from "../../canonical/validate.js";

const knownKeys = new Set(["model", "input", "isQuery"]);

/** Cody Gateway's OpenAI client sends at most this many inputs to one call; the same bound as OpenAI's. */
const maxInputs = 2048;

export interface CodyEmbeddingsRequest {
  request: CanonicalEmbeddingRequest;
  /** A search query rather than a document; no provider call takes it, so it is only recorded. */
  isQuery: boolean;
}

export function codyEmbeddingsToCanonicalRequest(input: unknown): ParseResult<CodyEmbeddingsRequest> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError((): CodyEmbeddingsRequest => {
    const body = asObject(input, "body");
    if (body.model === undefined || body.model === null) fail("model", "is required");
    const model = asString(body.model, "model");
    if (model === "") fail("model", "must not be empty");
    if (body.input === undefined || body.input === null) fail("input", "is required");
    const items = asArray(body.input, "input");
    if (items.length === 0) fail("input", "must not be empty");
    if (items.length > maxInputs)
      fail("input", `at most ${maxInputs} inputs are allowed, got ${items.length}`);
    const texts = items.map((item, index) => {
      const text = asString(item, fieldPath("input", index));
      if (text === "") fail(fieldPath("input", index), "must not be empty");
      return text;
    });
    for (const key of Object.keys(body))
      if (!knownKeys.has(key)) warnings.push({ field: key, message: "not a field of Cody's embeddings API" });
    return {
      request: { model, input: texts, single: false, encodingFormat: "float", extra: {} },
      isQuery: optBoolean(body, "isQuery", "") ?? false,
    };
  });
  return result.ok ? { ok: true, request: result.value, warnings } : result;
}

export interface CodyEmbeddingsAnswer {
  embeddings: Array<{ index: number; data: number[] }>;
  model: string;
  dimensions: number;
}

/** `model` is the name the caller asked for (Cody's clients compare it with their index's model). */
export function canonicalToCodyEmbeddingsResponse(
  response: CanonicalEmbeddingResponse,
  model: string,
): CodyEmbeddingsAnswer {
  const embeddings = response.data.map((item) => ({
    index: item.index,
    // The request asks for floats (encodingFormat), so a base64 vector here is a bug upstream of this.
    data: typeof item.embedding === "string" ? [] : item.embedding,
  }));
  return { embeddings, model, dimensions: embeddings[0]?.data.length ?? 0 };
}

/**
 * Vector sizes of well-known embeddings models, for the models listing (the catalogue does not record them);
 * 0 for a model not listed here, which a client reads as "ask it".
 */
const knownDimensions: Record<string, number> = {
  "text-embedding-ada-002": 1536,
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "gemini-embedding-001": 3072,
  "text-embedding-004": 768,
  "text-embedding-005": 768,
  "text-multilingual-embedding-002": 768,
  "amazon.titan-embed-text-v2:0": 1024,
  "amazon.titan-embed-text-v1": 1536,
  "cohere.embed-english-v3": 1024,
  "cohere.embed-multilingual-v3": 1024,
  "st-multi-qa-mpnet-base-dot-v1": 768,
};

export function knownEmbeddingDimensions(modelName: string): number {
  return ownEntry(knownDimensions, modelName) ?? 0;
}

export interface CodyEmbeddingsModel {
  name: string;
  dimensions: number;
  enabled: boolean;
  deprecated: boolean;
}
