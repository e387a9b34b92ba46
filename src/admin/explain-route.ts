import { z } from "zod";
import { features } from "../routing/feature.js";
import { type AdminRoute, adminRoute } from "./admin-route.js";
import { type ExplainDeps, explain } from "./explain.js";
import { storableText } from "./text.js";
import { openObject } from "./views.js";

const explainQuery = z.strictObject({
  actor: storableText.min(1, "must not be empty"),
  model: storableText.min(1, "must not be empty: a model ref, a model id or `default`"),
  feature: z.enum(features).optional(),
});

/** `GET /admin/api/explain?actor=&model=&feature=`: what a request would meet now, for admins and readers. */
export function explainRoutes(deps: ExplainDeps): AdminRoute[] {
  return [
    adminRoute({
      method: "GET",
      path: "/admin/api/explain",
      permission: "admin:read",
      tag: "explain",
      summary:
        "What a request by an actor for a model would meet now: the model, its upstream and credential, each limit.",
      query: explainQuery,
      response: openObject,
      handler: async ({ query }) => explain(deps, query),
    }),
  ];
}
