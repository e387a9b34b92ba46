/**
 * Canonical embeddings ⇄ Gemini (wire-formats §4.6): the Gemini API's `batchEmbedContents` and, for Vertex AI,
 * the `predict` form (§5.1). The answers are read together: `{embeddings: [{values}]}` (batch),
 * `{embedding: {values}}` (embedContent) and `{predictions: [{embeddings: {values, statistics}}]}` (Vertex).
 * Only Vertex reports tokens; elsewhere the input token count is 0.
 */
import {
  type CanonicalEmbedding,
  type CanonicalEmbeddingRequest,
  type CanonicalEmbeddingResponse,
  encodeEmbedding,
} from "../../canonical/embeddings.js";
import type { BuildResult, CanonicalError, TranslationWarning } from "../../canonical/errors.js";
import { tokenCount } from "../../canonical/usage.js";
import { catchFieldError, fail, isObject, type JsonObject } from "../../canonical/validate.js";
import { geminiErrorToCanonical } from "./gemini-errors.js";

export interface GeminiEmbeddingSettings {
  /** The upstream's model name, with or without the `models/` prefix. */
  model: string;
  /** RETRIEVAL_QUERY, RETRIEVAL_DOCUMENT, SEMANTIC_SIMILARITY…: OpenAI clients have no way to say it. */
  taskType?: string;
}

/** batchEmbedContents takes at most 100 requests. */
export const geminiMaxBatch = 100;

/**
 * Texts one Vertex `predict` call takes: 250, but one for gemini-embedding-001
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/embeddings/get-text-embeddings, "API limits").
 */
export function vertexMaxInstances(model: string): number {
  return /^gemini-embedding/.test(model) ? 1 : 250;
}

type Warn = (field: string, message: string) => void;

function texts(request: CanonicalEmbeddingRequest, warn: Warn): string[] {
  if (request.input.some((item) => typeof item !== "string"))
    fail("input", "Gemini embeds text; token arrays cannot be sent");
  if (request.user !== undefined) warn("user", "Gemini has no end-user field; not sent");
  for (const key of Object.keys(request.extra.openai ?? {}))
    warn(key, "an OpenAI-only parameter; not sent to Gemini");
  return request.input as string[];
}

function withWarnings(build: (warn: Warn) => JsonObject): BuildResult<JsonObject> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError(() => build((field, message) => warnings.push({ field, message })));
  return result.ok ? { ok: true, body: result.value, warnings } : result;
}

/** The `batchEmbedContents` body. */
export function canonicalToGeminiEmbeddingsRequest(
  request: CanonicalEmbeddingRequest,
  settings: GeminiEmbeddingSettings,
): BuildResult<JsonObject> {
  return withWarnings((warn) => {
    const inputs = texts(request, warn);
    if (inputs.length > geminiMaxBatch)
      fail("input", `Gemini embeds at most ${geminiMaxBatch} inputs per request, got ${inputs.length}`);
    const model = settings.model.startsWith("models/") ? settings.model : `models/${settings.model}`;
    return {
      requests: inputs.map((text) => {
        const item: JsonObject = { model, content: { parts: [{ text }] } };
        if (settings.taskType !== undefined) item.taskType = settings.taskType;
        if (request.dimensions !== undefined) item.outputDimensionality = request.dimensions;
        return item;
      }),
    };
  });
}

/** The Vertex AI `predict` body for text embedding models. */
export function canonicalToVertexEmbeddingsRequest(
  request: CanonicalEmbeddingRequest,
  settings: GeminiEmbeddingSettings,
): BuildResult<JsonObject> {
  return withWarnings((warn) => {
    const instances = texts(request, warn).map((content) => {
      const instance: JsonObject = { content };
      if (settings.taskType !== undefined) instance.task_type = settings.taskType;
      return instance;
    });
    const body: JsonObject = { instances };
    if (request.dimensions !== undefined) body.parameters = { outputDimensionality: request.dimensions };
    return body;
  });
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((item): item is number => typeof item === "number") : [];
}

export function geminiEmbeddingsResponseToCanonical(
  body: unknown,
  status: number,
  options: { model: string; encodingFormat?: "float" | "base64" },
): { ok: true; response: CanonicalEmbeddingResponse } | { ok: false; error: CanonicalError } {
  if (status >= 400 || !isObject(body) || isObject(body.error))
    return { ok: false, error: geminiErrorToCanonical(status >= 400 ? status : 502, body) };
  const vectors: number[][] = [];
  let inputTokens = 0;
  if (Array.isArray(body.embeddings))
    for (const item of body.embeddings) vectors.push(numbers(isObject(item) ? item.values : undefined));
  else if (isObject(body.embedding)) vectors.push(numbers(body.embedding.values));
  else if (Array.isArray(body.predictions)) {
    for (const prediction of body.predictions) {
      const embeddings = isObject(prediction) && isObject(prediction.embeddings) ? prediction.embeddings : {};
      vectors.push(numbers(embeddings.values));
      const statistics = isObject(embeddings.statistics) ? embeddings.statistics : {};
      inputTokens += tokenCount(statistics.token_count) ?? 0;
    }
  }
  if (isObject(body.usageMetadata))
    inputTokens = tokenCount(body.usageMetadata.promptTokenCount) ?? inputTokens;
  const data: CanonicalEmbedding[] = vectors.map((values, index) => ({
    index,
    embedding: encodeEmbedding(values, options.encodingFormat),
  }));
  return { ok: true, response: { model: options.model, data, inputTokens } };
}
