import type { FastifyInstance, onRequestHookHandler } from "fastify";
import type { Catalogue } from "../../config/index.js";
import { codyEmbeddingsModels } from "../../ingress/cody/cody-embeddings-handler.js";

export interface CodyEmbeddingsModelsOptions {
  authenticate: onRequestHookHandler;
  catalogue: () => Catalogue;
}

/** Cody Gateway's `GET /v1/embeddings/models` (reference/cody.md §1.6): the embeddings models the caller may use. */
export function registerCodyEmbeddingsModelsRoute(
  app: FastifyInstance,
  options: CodyEmbeddingsModelsOptions,
): void {
  app.get(
    "/v1/embeddings/models",
    { onRequest: options.authenticate, config: { dialect: "cody" } },
    async (request) => codyEmbeddingsModels(options.catalogue(), request.principal?.actor),
  );
}
