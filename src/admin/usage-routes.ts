import { z } from "zod";
import type { UsageEventsRepository } from "../store/usage-events.js";
import { type AdminRoute, adminRoute } from "./admin-route.js";
import { aggregateQuery, eventsQuery, parseAggregateQuery, parseEventsQuery } from "./usage-query.js";
import { sendAggregate, sendEvents } from "./usage-view.js";

export interface UsageAdminDeps {
  usage: UsageEventsRepository;
}

const totals = {
  requests: z.number(),
  errors: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  reasoningTokens: z.number(),
  costUsd: z.number(),
};

const aggregateAnswer = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.array(z.string()),
  rows: z.array(
    z
      .object(totals)
      .catchall(z.union([z.string(), z.number(), z.null()]))
      .describe("one row per group: the group keys (actor, model, hour…) beside the totals"),
  ),
});

const eventsAnswer = z.object({ events: z.array(z.record(z.string(), z.unknown())) });

/** `GET /admin/api/usage` (sums per group) and `/admin/api/usage/events` (single events), admin or readonly. */
export function usageAdminRoutes(deps: UsageAdminDeps): AdminRoute[] {
  const tag = "usage";
  return [
    adminRoute({
      method: "GET",
      path: "/admin/api/usage",
      permission: "admin:read",
      tag,
      summary: "Usage summed per group (`groupBy`) over a time range, as JSON or CSV.",
      query: aggregateQuery,
      response: aggregateAnswer,
      alsoProduces: ["text/csv"],
      handler: ({ request, reply }) =>
        sendAggregate(request, reply, deps.usage, parseAggregateQuery(request.query)),
    }),
    adminRoute({
      method: "GET",
      path: "/admin/api/usage/events",
      permission: "admin:read",
      tag,
      summary: "Single usage events, newest first, as JSON or CSV.",
      query: eventsQuery,
      response: eventsAnswer,
      alsoProduces: ["text/csv"],
      handler: ({ request, reply }) =>
        sendEvents(request, reply, deps.usage, parseEventsQuery(request.query)),
    }),
  ];
}
