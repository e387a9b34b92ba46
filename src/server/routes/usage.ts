import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from "fastify";
import { parseAggregateQuery, parseEventsQuery } from "../../admin/usage-query.js";
import { sendAggregate, sendEvents } from "../../admin/usage-view.js";
import { GatewayError } from "../../errors/index.js";
import type { UsageEventsRepository } from "../../store/usage-events.js";

export interface UsageRouteOptions {
  usage: UsageEventsRepository;
  authenticate: onRequestHookHandler;
}

function caller(request: FastifyRequest): string {
  const actorId = request.principal?.actorId;
  if (!actorId) throw new GatewayError("unauthenticated", "no actor behind this token");
  return actorId;
}

/** `GET /v1/usage` and `/v1/usage/events`: the admin usage API narrowed to the caller, for any token. */
export function registerUsageRoutes(app: FastifyInstance, options: UsageRouteOptions): void {
  const route = { onRequest: options.authenticate };
  app.get("/v1/usage", route, (request, reply) =>
    sendAggregate(request, reply, options.usage, parseAggregateQuery(request.query, caller(request))),
  );
  app.get("/v1/usage/events", route, (request, reply) =>
    sendEvents(request, reply, options.usage, parseEventsQuery(request.query, caller(request))),
  );
}
