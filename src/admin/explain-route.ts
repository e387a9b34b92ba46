import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { z } from "zod";
import { features } from "../routing/feature.js";
import { type ExplainDeps, explain } from "./explain.js";
import { allow, parse } from "./route-kit.js";
import { storableText } from "./text.js";

export interface ExplainRouteDeps extends ExplainDeps {
  authenticate: onRequestHookHandler;
}

const explainQuery = z.strictObject({
  actor: storableText.min(1, "must not be empty"),
  model: storableText.min(1, "must not be empty: a model ref, a model id or `default`"),
  feature: z.enum(features).optional(),
});

/** `GET /admin/api/explain?actor=&model=&feature=`: what a request would meet now, for admins and readers. */
export function registerExplainRoute(app: FastifyInstance, deps: ExplainRouteDeps): void {
  const options = {
    config: { dialect: "openai" as const },
    onRequest: [deps.authenticate, allow("admin:read")],
  };
  app.get("/admin/api/explain", options, async (request) =>
    explain(deps, parse(explainQuery, request.query ?? {}, "the query")),
  );
}
