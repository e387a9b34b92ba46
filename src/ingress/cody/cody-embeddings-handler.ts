/**
 * Cody Gateway's embeddings API for Cody tokens (reference/cody.md §1.6): `POST /v1/embeddings` in Cody's shapes
 * over Tollgate's embeddings path (any embeddings model: OpenAI-family as JSON, the others translated), and the
 * list for `GET /v1/embeddings/models`.
 */
import type { Actor } from "../../auth/actor.js";
import { isModelAllowed } from "../../auth/actor.js";
import type { Catalogue } from "../../config/index.js";
import {
  type CodyEmbeddingsModel,
  canonicalToCodyEmbeddingsResponse,
  codyEmbeddingsToCanonicalRequest,
  knownEmbeddingDimensions,
} from "../../dialects/cody/cody-embeddings.js";
import { canonicalToOpenAIEmbeddingsRequest } from "../../dialects/openai/openai-embeddings.js";
import { type EmbeddingsClient, serveEmbeddings } from "../../proxy/embeddings-handler.js";
import type { Exchange } from "../../proxy/exchange.js";
import { parsedOrThrow } from "../../proxy/prepare.js";
import type { ProxyDeps } from "../../proxy/proxy-deps.js";
import { codyModelRef } from "./cody-model.js";

export function handleCodyEmbeddings(deps: ProxyDeps, exchange: Exchange): Promise<void> {
  const { request: parsed } = parsedOrThrow(codyEmbeddingsToCanonicalRequest(exchange.body));
  const { request } = parsed;
  const asked = request.model as string;
  const client: EmbeddingsClient = {
    openaiBody: (canonical, model) => canonicalToOpenAIEmbeddingsRequest(canonical, { model }).body,
    answer(response, answering) {
      // Cody Gateway meters embeddings by this header (reference/cody.md §1.4, §3.5).
      answering.header("x-token-usage", String(response.inputTokens));
      answering.sendJson(200, canonicalToCodyEmbeddingsResponse(response, asked));
    },
  };
  request.model = codyModelRef(deps.catalogue(), asked, "embeddings");
  return serveEmbeddings(deps, exchange, request, client);
}

/**
 * Tollgate's embeddings models the actor may use, named `provider/model` as Cody names them. Cody Gateway lists a
 * fixed set with `enabled` per caller; here the list is the configured models, so what is listed is enabled
 * unless its provider cannot serve now.
 */
export function codyEmbeddingsModels(catalogue: Catalogue, actor: Actor | undefined): CodyEmbeddingsModel[] {
  return catalogue.models
    .filter((model) => model.capabilities.includes("embeddings"))
    .filter((model) => !actor || isModelAllowed(actor, model.ref))
    .map((model) => ({
      name: `${model.providerId}/${model.modelName}`,
      dimensions: knownEmbeddingDimensions(model.modelName),
      enabled: model.available,
      deprecated: model.status === "deprecated",
    }));
}
