import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { GatewayError } from "../../errors/index.js";

/**
 * What the model routes serve, computed once per catalogue load (the catalogue is
 * immutable), so a request only looks things up.
 */
export interface ModelListing {
  /** `GET /v1/models` body (OpenAI list shape plus Tollgate's fields). */
  list: object;
  /** One entry by model ref or by an id unique among the models; `ambiguous` names the refs. */
  find(idOrRef: string): { model: object } | { ambiguous: string[] } | undefined;
  /** `GET /v1/modelconfig` body (Sourcegraph's supported-models.json shape, no server-side config). */
  modelConfig: object;
}

export function registerModelRoutes(
  app: FastifyInstance,
  options: { authenticate: onRequestHookHandler; models: () => ModelListing },
): void {
  const { authenticate, models } = options;
  app.get("/v1/models", { onRequest: authenticate }, async () => models().list);
  // Refs contain `::` and ids may contain `/` (fireworks' accounts/…/models/…), hence the wildcard.
  app.get("/v1/models/*", { onRequest: authenticate }, async (request) => {
    const id = decodeURIComponent((request.params as { "*": string })["*"]);
    const found = models().find(id);
    if (!found)
      throw new GatewayError("model_not_found", `model \`${id}\` does not exist or is not available`, {
        param: "model",
      });
    if ("ambiguous" in found) {
      throw new GatewayError(
        "invalid_request",
        `model id \`${id}\` is ambiguous; use one of the refs ${found.ambiguous.join(", ")}`,
        { param: "model" },
      );
    }
    return found.model;
  });
  app.get("/v1/modelconfig", { onRequest: authenticate }, async () => models().modelConfig);
}
