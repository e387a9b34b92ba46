import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from "fastify";
import type { Actor } from "../../auth/actor.js";
import { GatewayError } from "../../errors/index.js";

/** One model as each listing dialect writes it. */
export interface ListedModel {
  /** OpenAI's model object plus Tollgate's fields. */
  openai: object;
  /** Anthropic's model object. */
  anthropic: object;
}

/** The model routes' answers for one caller: only the models it may use now. */
export interface ModelView {
  /** `GET /v1/models` body (OpenAI list shape plus Tollgate's fields). */
  list: object;
  /** `GET /v1/models` body when the request carries `anthropic-version` (Anthropic's list shape). */
  anthropicList: object;
  /** One entry by model ref or by an id unique among these models; `ambiguous` names the refs. */
  find(idOrRef: string): { model: ListedModel } | { ambiguous: string[] } | undefined;
  /** `GET /v1/modelconfig` body (Sourcegraph's supported-models.json shape, no server-side config). */
  modelConfig: object;
}

/**
 * What the model routes serve, computed once per catalogue load (the catalogue is immutable), so a
 * request only looks things up.
 */
export interface ModelListing {
  /** The view for this caller; `undefined` (a principal without an actor) sees every available model. */
  forActor(actor: Actor | undefined): ModelView;
}

/** Anthropic's SDKs send `anthropic-version` on every request; OpenAI's never do. */
function wantsAnthropic(request: FastifyRequest): boolean {
  return request.headers["anthropic-version"] !== undefined;
}

export function registerModelRoutes(
  app: FastifyInstance,
  options: { authenticate: onRequestHookHandler; models: () => ModelListing },
): void {
  const { authenticate, models } = options;
  const view = (request: FastifyRequest) => models().forActor(request.principal?.actor);
  app.get("/v1/models", { onRequest: authenticate }, async (request) =>
    wantsAnthropic(request) ? view(request).anthropicList : view(request).list,
  );
  // Refs contain `::` and ids may contain `/` (fireworks' accounts/…/models/…), hence the wildcard.
  app.get("/v1/models/*", { onRequest: authenticate }, async (request) => {
    const raw = (request.params as { "*": string })["*"];
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      // `%25` alone, `%E0%A4`: not a model id anyone could have (issue 15: it was a 500).
      throw new GatewayError("invalid_request", "the model id in the path is not valid percent-encoding", {
        param: "model",
      });
    }
    // A model the caller may not use is answered exactly like one that does not exist.
    const found = view(request).find(id);
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
    return wantsAnthropic(request) ? found.model.anthropic : found.model.openai;
  });
  app.get("/v1/modelconfig", { onRequest: authenticate }, async (request) => view(request).modelConfig);
}
