import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { presentedToken } from "../../auth/principal.js";
import { tokenFamily } from "../../auth/token.js";
import type { FeatureLimits } from "../../config/index.js";
import { GatewayError } from "../../errors/index.js";
import { codyLimitsView } from "../../ingress/cody/cody-limits.js";
import {
  type FeatureLimitsInput,
  isUnlimited,
  LimiterUnavailableError,
  limitsView,
  policyFor,
} from "../../limits/index.js";
import type { Limiter } from "../../limits/limiter.js";
import { features } from "../../routing/feature.js";

export interface LimitsRouteOptions {
  authenticate: onRequestHookHandler;
  limiter: Limiter;
  defaults: () => FeatureLimits | undefined;
  timeZone: () => string;
}

/**
 * `GET /v1/limits`: the caller's limits and current usage per feature (DESIGN §8 "Limits API"); in Cody Gateway's
 * shape when the token is a Cody one. `POST /v1/limits/refresh` is Cody's: limits here are read live, so there is
 * nothing to refresh and it answers an empty 200.
 */
export function registerLimitsRoute(app: FastifyInstance, options: LimitsRouteOptions): void {
  app.post(
    "/v1/limits/refresh",
    { onRequest: options.authenticate, config: { dialect: "cody" } },
    async (_request, reply) => reply.code(200).send(),
  );
  app.get(
    "/v1/limits",
    { onRequest: options.authenticate, config: { codyByToken: true } },
    async (request) => {
      const actor = request.principal?.actor;
      if (!actor) throw new GatewayError("unauthenticated", "no actor behind this token");
      const allowedModels = actor.allowedModels ? [...actor.allowedModels] : ["*"];
      const entries: FeatureLimitsInput[] = [];
      try {
        for (const feature of features) {
          const policy = policyFor(
            actor.limits,
            actor.budget,
            options.defaults(),
            feature,
            options.timeZone(),
          );
          if (isUnlimited(policy)) continue;
          entries.push({
            feature,
            snapshot: await options.limiter.read({ subject: actor.id, feature, policy }),
            allowedModels,
          });
        }
      } catch (error) {
        if (error instanceof LimiterUnavailableError)
          throw new GatewayError("gateway_unavailable", error.message);
        throw error;
      }
      return tokenFamily(presentedToken(request.headers)) === "cody"
        ? codyLimitsView(entries)
        : limitsView(entries);
    },
  );
}
