/**
 * The embeddings codecs, one registry entry per vendor embeddings API (DESIGN §9: registries instead of
 * ternaries). OpenAI-family providers are not here: their `/embeddings` takes the client's body as it came.
 * Each codec writes the vendor's request for a slice of the inputs (`maxInputsPerCall` says how large) and
 * reads its answer into canonical form, vectors already in the encoding the client asked for.
 */
import type { CanonicalEmbeddingRequest, CanonicalEmbeddingResponse } from "../canonical/embeddings.js";
import type { BuildResult, CanonicalError } from "../canonical/errors.js";
import type { JsonObject } from "../canonical/validate.js";
import {
  canonicalToCohereEmbeddingsRequest,
  canonicalToTitanEmbeddingsRequest,
  cohereEmbeddingsResponseToCanonical,
  cohereMaxTexts,
  titanEmbeddingsResponseToCanonical,
} from "../dialects/bedrock-embeddings/bedrock-embeddings.js";
import {
  canonicalToGeminiEmbeddingsRequest,
  canonicalToVertexEmbeddingsRequest,
  geminiEmbeddingsResponseToCanonical,
  geminiMaxBatch,
  vertexMaxInstances,
} from "../dialects/gemini/gemini-embeddings.js";
import {
  canonicalToCodyEmbeddingsRequest,
  codyEmbeddingsResponseToCanonical,
  codyMaxInputs,
  codyTokenHeader,
} from "../providers/sourcegraph/sourcegraph-embeddings.js";
import type { EmbeddingsApi } from "../providers/types.js";

/** Bedrock counts embedding tokens only in this header. */
const bedrockTokenHeader = "x-amzn-bedrock-input-token-count";

/** What an answer's body may not say itself. */
export interface EmbeddingsAnswerContext {
  /** The model the upstream was asked for. */
  model: string;
  encodingFormat?: "float" | "base64" | undefined;
  /** The input tokens the upstream reported in the codec's `tokenHeader`. */
  inputTokenHeader?: number | undefined;
}

export type EmbeddingsResult =
  | { ok: true; response: CanonicalEmbeddingResponse }
  | { ok: false; error: CanonicalError };

export interface EmbeddingsCodec {
  /** Inputs one upstream call takes; a longer list becomes several calls. */
  maxInputsPerCall(model: string): number;
  buildRequest(request: CanonicalEmbeddingRequest, model: string): BuildResult<JsonObject>;
  /** The response header that carries the input tokens, for APIs that count them there (Bedrock, Cody Gateway). */
  tokenHeader?: string;
  /** `inputTokens` is 0 when the upstream does not count them (the Gemini API). */
  fromUpstreamResponse(body: unknown, status: number, context: EmbeddingsAnswerContext): EmbeddingsResult;
}

export const embeddingsCodecs = {
  gemini: {
    maxInputsPerCall: () => geminiMaxBatch,
    buildRequest: (request, model) => canonicalToGeminiEmbeddingsRequest(request, { model }),
    fromUpstreamResponse: geminiEmbeddingsResponseToCanonical,
  },
  vertex: {
    maxInputsPerCall: vertexMaxInstances,
    buildRequest: (request, model) => canonicalToVertexEmbeddingsRequest(request, { model }),
    fromUpstreamResponse: geminiEmbeddingsResponseToCanonical,
  },
  "bedrock-titan": {
    maxInputsPerCall: () => 1,
    tokenHeader: bedrockTokenHeader,
    buildRequest: (request, model) => canonicalToTitanEmbeddingsRequest(request, { model }),
    fromUpstreamResponse: titanEmbeddingsResponseToCanonical,
  },
  "bedrock-cohere": {
    maxInputsPerCall: () => cohereMaxTexts,
    tokenHeader: bedrockTokenHeader,
    buildRequest: (request, model) => canonicalToCohereEmbeddingsRequest(request, { model }),
    fromUpstreamResponse: cohereEmbeddingsResponseToCanonical,
  },
  cody: {
    maxInputsPerCall: () => codyMaxInputs,
    tokenHeader: codyTokenHeader,
    buildRequest: canonicalToCodyEmbeddingsRequest,
    fromUpstreamResponse: codyEmbeddingsResponseToCanonical,
  },
} satisfies Record<Exclude<EmbeddingsApi, "openai">, EmbeddingsCodec>;
