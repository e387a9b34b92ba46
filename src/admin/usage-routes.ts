import type { FastifyInstance, onRequestHookHandler } from "fastify";
import type { UsageEventsRepository } from "../store/usage-events.js";
import { allow } from "./route-kit.js";
import { parseAggregateQuery, parseEventsQuery } from "./usage-query.js";
import { sendAggregate, sendEvents } from "./usage-view.js";

export interface UsageAdminDeps {
  usage: UsageEventsRepository;
  authenticate: onRequestHookHandler;
}

/** `GET /admin/api/usage` (sums per group) and `/admin/api/usage/events` (single events), admin or readonly. */
export function registerUsageAdminRoutes(app: FastifyInstance, deps: UsageAdminDeps): void {
  const read = {
    config: { dialect: "openai" as const },
    onRequest: [deps.authenticate, allow("admin:read")],
  };
  app.get("/admin/api/usage", read, (request, reply) =>
    sendAggregate(request, reply, deps.usage, parseAggregateQuery(request.query)),
  );
  app.get("/admin/api/usage/events", read, (request, reply) =>
    sendEvents(request, reply, deps.usage, parseEventsQuery(request.query)),
  );
}
