/**
 * Canonical embeddings ⇄ the InvokeModel bodies of Bedrock's embedding models, which speak their vendors' own
 * formats (Converse does not embed, so nothing here is shared with bedrock-converse/):
 * - Amazon Titan Text Embeddings (`amazon.titan-embed-text-v2:0`, v1): `{inputText, dimensions?, normalize?}`,
 *   one text per call, answered `{embedding, inputTextTokenCount}`.
 * - Cohere Embed (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`, v4): `{texts, input_type,
 *   truncate?}`, at most 96 texts per call, answered `{embeddings, id, response_type}`; the token count is
 *   only in Bedrock's `x-amzn-bedrock-input-token-count` header.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed-v3.html
 *
 * OpenAI clients have no field for Titan's `normalize` or Cohere's `input_type` and `truncate`; a client may
 * send them under those names as extra body fields (they arrive in `extra.openai`), checked here.
 */
import {
  type CanonicalEmbeddingRequest,
  type CanonicalEmbeddingResponse,
  encodeEmbedding,
} from "../../canonical/embeddings.js";
import type { BuildResult, CanonicalError, TranslationWarning } from "../../canonical/errors.js";
import { tokenCount } from "../../canonical/usage.js";
import { catchFieldError, fail, isObject, type JsonObject, oneOf } from "../../canonical/validate.js";
import { converseErrorToCanonical } from "../bedrock-converse/converse-errors.js";

/** Cohere Embed takes at most 96 texts per call. */
export const cohereMaxTexts = 96;

const cohereInputTypes = ["search_document", "search_query", "classification", "clustering"] as const;
const cohereTruncate = ["NONE", "START", "END"] as const;

type EmbeddingsResult =
  | { ok: true; response: CanonicalEmbeddingResponse }
  | { ok: false; error: CanonicalError };

export interface BedrockEmbeddingAnswerOptions {
  /** The model id the upstream was asked for. */
  model: string;
  encodingFormat?: "float" | "base64" | undefined;
  /** Bedrock's `x-amzn-bedrock-input-token-count` header, when it sent one. */
  inputTokenHeader?: number | undefined;
}

type Warn = (field: string, message: string) => void;

function build(
  request: CanonicalEmbeddingRequest,
  vendor: string,
  ownKeys: readonly string[],
  write: (texts: string[], own: JsonObject, warn: Warn) => JsonObject,
): BuildResult<JsonObject> {
  const warnings: TranslationWarning[] = [];
  const warn: Warn = (field, message) => warnings.push({ field, message });
  const result = catchFieldError(() => {
    if (request.input.some((item) => typeof item !== "string"))
      fail("input", `${vendor} embeds text; token arrays cannot be sent`);
    if (request.user !== undefined) warn("user", `${vendor} has no end-user field; not sent`);
    const own: JsonObject = {};
    for (const [key, value] of Object.entries(request.extra.openai ?? {})) {
      if (ownKeys.includes(key)) own[key] = value;
      else warn(key, `an OpenAI-only parameter; not sent to ${vendor}`);
    }
    return write(request.input as string[], own, warn);
  });
  return result.ok ? { ok: true, body: result.value, warnings } : result;
}

/** The Titan body for one input: the caller splits a list into one call per input. */
export function canonicalToTitanEmbeddingsRequest(
  request: CanonicalEmbeddingRequest,
  settings: { model: string },
): BuildResult<JsonObject> {
  return build(request, "Amazon Titan", ["normalize"], ([text, ...rest], own) => {
    if (text === undefined || rest.length > 0)
      fail("input", `Amazon Titan embeds one input per request, got ${request.input.length}`);
    const body: JsonObject = { inputText: text };
    // Titan Text Embeddings G1 (v1) takes inputText alone.
    const v1 = /titan-embed-text-v1/.test(settings.model);
    if (request.dimensions !== undefined) {
      if (v1) fail("dimensions", `${settings.model} has a fixed vector size; dimensions cannot be set`);
      body.dimensions = request.dimensions;
    }
    if (own.normalize !== undefined) {
      if (typeof own.normalize !== "boolean") fail("normalize", "must be a boolean");
      if (v1) fail("normalize", `${settings.model} does not take normalize`);
      body.normalize = own.normalize;
    }
    return body;
  });
}

/** The Cohere Embed body; documents unless the client says `input_type`. */
export function canonicalToCohereEmbeddingsRequest(
  request: CanonicalEmbeddingRequest,
  settings: { model: string },
): BuildResult<JsonObject> {
  return build(request, "Cohere Embed", ["input_type", "truncate"], (texts, own) => {
    if (texts.length > cohereMaxTexts)
      fail("input", `Cohere Embed takes at most ${cohereMaxTexts} inputs per request, got ${texts.length}`);
    const body: JsonObject = {
      texts,
      input_type:
        own.input_type === undefined
          ? "search_document"
          : oneOf(own.input_type, cohereInputTypes, "input_type"),
    };
    if (own.truncate !== undefined) body.truncate = oneOf(own.truncate, cohereTruncate, "truncate");
    if (request.dimensions !== undefined) {
      // Embed v4 sizes its vectors (256–1536); v3 vectors have their model's fixed size.
      if (!/embed-v4/.test(settings.model))
        fail("dimensions", `${settings.model} has a fixed vector size; dimensions cannot be set`);
      body.output_dimension = request.dimensions;
    }
    return body;
  });
}

function numbers(value: unknown): number[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === "number")
    ? (value as number[])
    : undefined;
}

function unexpected(status: number, body: unknown, what: string): EmbeddingsResult {
  if (status >= 400 || (isObject(body) && typeof body.message === "string"))
    return { ok: false, error: converseErrorToCanonical(status >= 400 ? status : 502, body) };
  return { ok: false, error: { status: 502, type: "api_error", message: `the answer has no ${what}` } };
}

export function titanEmbeddingsResponseToCanonical(
  body: unknown,
  status: number,
  options: BedrockEmbeddingAnswerOptions,
): EmbeddingsResult {
  const object = isObject(body) ? body : {};
  const byType = isObject(object.embeddingsByType) ? object.embeddingsByType : {};
  const values = status < 400 ? (numbers(object.embedding) ?? numbers(byType.float)) : undefined;
  if (!values) return unexpected(status, body, "embedding");
  return {
    ok: true,
    response: {
      model: options.model,
      data: [{ index: 0, embedding: encodeEmbedding(values, options.encodingFormat) }],
      inputTokens: tokenCount(object.inputTextTokenCount) ?? options.inputTokenHeader ?? 0,
    },
  };
}

export function cohereEmbeddingsResponseToCanonical(
  body: unknown,
  status: number,
  options: BedrockEmbeddingAnswerOptions,
): EmbeddingsResult {
  const object = isObject(body) ? body : {};
  // `embeddings_floats`: a list of vectors; `embeddings_by_type` (v4, or embedding_types asked): {float: [...]}.
  const lists = isObject(object.embeddings) ? object.embeddings.float : object.embeddings;
  const vectors = status < 400 && Array.isArray(lists) ? lists.map(numbers) : undefined;
  if (!vectors || vectors.some((vector) => vector === undefined))
    return unexpected(status, body, "embeddings");
  return {
    ok: true,
    response: {
      model: options.model,
      data: vectors.map((values, index) => ({
        index,
        embedding: encodeEmbedding(values ?? [], options.encodingFormat),
      })),
      inputTokens: options.inputTokenHeader ?? 0,
    },
  };
}
