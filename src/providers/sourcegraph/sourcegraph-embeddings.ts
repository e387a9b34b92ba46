/**
 * Embeddings through Cody Gateway's `POST /v1/embeddings` (reference/cody.md §1.6): `{model, input: [string],
 * isQuery}` in, `{embeddings: [{index, data}], model, dimensions}` out, the tokens used in `X-Token-Usage`.
 * Another Tollgate answers a token that is not a Cody token in OpenAI's shape: read too (lenient upstream parsing).
 */
import {
  type CanonicalEmbedding,
  type CanonicalEmbeddingRequest,
  type CanonicalEmbeddingResponse,
  encodeEmbedding,
} from "../../canonical/embeddings.js";
import type { BuildResult, CanonicalError } from "../../canonical/errors.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";

/** The most inputs a Cody Gateway embeddings call takes (its OpenAI client's batch, and another Tollgate's bound). */
export const codyMaxInputs = 2048;

/** Where Cody Gateway counts the tokens an embeddings call used. */
export const codyTokenHeader = "x-token-usage";

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((item): item is number => typeof item === "number") : [];
}

/** `[{index, data}]` (Cody) or `[{index, embedding}]` (OpenAI), in index order. */
function vectors(items: unknown[]): number[][] {
  const out: { index: number; values: number[] }[] = items.filter(isObject).map((item, position) => ({
    index: typeof item.index === "number" ? item.index : position,
    values: numbers(item.data ?? item.embedding),
  }));
  return out.sort((a, b) => a.index - b.index).map((item) => item.values);
}

/** Canonical → Cody's request body; `model` is the prefixed name Cody Gateway knows. */
export function canonicalToCodyEmbeddingsRequest(
  request: CanonicalEmbeddingRequest,
  model: string,
): BuildResult<JsonObject> {
  if (request.input.some((item) => typeof item !== "string")) {
    return {
      ok: false,
      error: { field: "input", message: "Cody Gateway embeds text only; token-id arrays cannot be sent" },
    };
  }
  // Documents unless told otherwise: OpenAI's API has no query flag.
  return { ok: true, body: { model, input: request.input as string[], isQuery: false }, warnings: [] };
}

/** Cody's (or OpenAI's) answer → canonical; tokens from `X-Token-Usage`, else OpenAI's `usage`. */
export function codyEmbeddingsResponseToCanonical(
  body: unknown,
  status: number,
  context: {
    model: string;
    encodingFormat?: "float" | "base64" | undefined;
    inputTokenHeader?: number | undefined;
  },
): { ok: true; response: CanonicalEmbeddingResponse } | { ok: false; error: CanonicalError } {
  const items = isObject(body) ? (Array.isArray(body.embeddings) ? body.embeddings : body.data) : undefined;
  if (status >= 400 || !Array.isArray(items)) {
    return {
      ok: false,
      error: {
        status: status >= 400 ? status : 502,
        type: "api_error",
        message: "no embeddings in the answer",
      },
    };
  }
  const usage = isObject(body) && isObject(body.usage) ? body.usage : undefined;
  const fromBody = typeof usage?.prompt_tokens === "number" ? usage.prompt_tokens : undefined;
  const data: CanonicalEmbedding[] = vectors(items).map((values, index) => ({
    index,
    embedding: encodeEmbedding(values, context.encodingFormat),
  }));
  return {
    ok: true,
    response: { model: context.model, data, inputTokens: context.inputTokenHeader ?? fromBody ?? 0 },
  };
}
