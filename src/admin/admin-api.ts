import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { z } from "zod";
import { gatewayVersion } from "../proxy/client-headers.js";
import { type AdminRoute, adminRoute } from "./admin-route.js";
import { type AuditRouteDeps, auditRoutes } from "./audit-routes.js";
import { CatalogueAdmin } from "./catalogue-admin.js";
import type { ExplainDeps } from "./explain.js";
import { explainRoutes } from "./explain-route.js";
import { modelAdminRoutes } from "./model-routes.js";
import { openApiDocument } from "./openapi.js";
import { type ProviderAdminDeps, providerAdminRoutes } from "./provider-routes.js";
import { registerAdminRoutes } from "./register-admin-routes.js";
import { type SystemRouteDeps, systemRoutes } from "./system-routes.js";
import { type TokenAdminDeps, tokenAdminRoutes } from "./tokens-routes.js";
import { type UsageAdminDeps, usageAdminRoutes } from "./usage-routes.js";

export type AdminApiDeps = TokenAdminDeps &
  UsageAdminDeps &
  AuditRouteDeps &
  ExplainDeps &
  Omit<ProviderAdminDeps, "admin"> &
  SystemRouteDeps & { authenticate: onRequestHookHandler };

/** Every admin route, in the order the OpenAPI document lists them. */
export function adminApiRoutes(deps: AdminApiDeps): AdminRoute[] {
  const admin = new CatalogueAdmin({
    store: deps.store,
    live: deps.live,
    changed: () => deps.directory.changed(),
  });
  const routes = [
    ...systemRoutes(deps),
    ...providerAdminRoutes({ ...deps, admin }),
    ...modelAdminRoutes({
      live: deps.live,
      admin,
      servable: (provider) =>
        provider.blockedReason === undefined &&
        (provider.keyPolicy.allowUserKeys || deps.resolver.usable(undefined, provider)),
    }),
    ...tokenAdminRoutes(deps),
    ...usageAdminRoutes(deps),
    ...auditRoutes(deps),
    ...explainRoutes(deps),
  ];
  const document = openApiDocument([...routes, openApiRoute(() => document)], gatewayVersion);
  return [...routes, openApiRoute(() => document)];
}

/** The document of the routes above, itself one of them; public, as DESIGN §8 says. */
function openApiRoute(document: () => unknown): AdminRoute {
  return adminRoute({
    method: "GET",
    path: "/admin/api/openapi.json",
    permission: "public",
    tag: "meta",
    summary: "This document.",
    response: z.record(z.string(), z.unknown()),
    handler: async () => document(),
  });
}

/** The admin API (DESIGN §5): every route from its declaration, and its OpenAPI document. */
export function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): readonly AdminRoute[] {
  const routes = adminApiRoutes(deps);
  registerAdminRoutes(app, routes, deps.authenticate);
  return routes;
}
