import { z } from "zod";
import { GatewayError } from "../errors/index.js";
import { features } from "../routing/feature.js";
import {
  USAGE_GROUPS,
  type UsageAggregateQuery,
  type UsageGroup,
  type UsageListQuery,
} from "../store/usage-events.js";
import { parse } from "./route-kit.js";
import { storableText } from "./text.js";

/** The query strings of the usage routes (DESIGN §8 "Usage API"), parsed strictly: a bad value is a 400 naming it. */

const DEFAULT_RANGE_MS = 24 * 3_600_000;
const MAX_EVENTS = 1000;

// A date (UTC midnight) or a date and time with its offset: a time without one would mean the server's zone.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;
const isoTime = z
  .string()
  .refine((text) => ISO_TIME.test(text) && !Number.isNaN(Date.parse(text)), {
    error: "must be an ISO 8601 date or date-time with an offset, e.g. 2025-01-31 or 2025-01-31T12:00:00Z",
  })
  .transform((text) => new Date(text));

const groupList = z.string().transform((text, context) => {
  const groups = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const unknown = groups.find((group) => !(USAGE_GROUPS as readonly string[]).includes(group));
  if (unknown !== undefined) {
    context.addIssue({
      code: "custom",
      message: `unknown group \`${unknown}\`; use a comma list of ${USAGE_GROUPS.join(", ")}`,
    });
    return z.NEVER;
  }
  return [...new Set(groups)] as UsageGroup[];
});

const statusCode = z
  .string()
  .regex(/^[1-5]\d\d$/, "must be an HTTP status, e.g. 429")
  .transform(Number);
const limit = z
  .string()
  .regex(/^\d+$/, `must be an integer from 1 to ${MAX_EVENTS}`)
  .transform(Number)
  .pipe(
    z.number().min(1, `must be from 1 to ${MAX_EVENTS}`).max(MAX_EVENTS, `must be from 1 to ${MAX_EVENTS}`),
  );
const value = storableText.min(1, "must not be empty");

const filterFields = {
  from: isoTime.optional(),
  to: isoTime.optional(),
  model: value.optional(),
  provider: value.optional(),
  feature: z.enum(features).optional(),
  status: statusCode.optional(),
  format: z.enum(["json", "csv"]).optional(),
};

export const aggregateQuery = z.strictObject({
  ...filterFields,
  actor: value.optional(),
  groupBy: groupList.optional(),
});
export const eventsQuery = z.strictObject({
  ...filterFields,
  actor: value.optional(),
  limit: limit.optional(),
});
// The caller's own usage: `actor` is always the caller, so naming it is refused as an unknown field.
const ownAggregateQuery = aggregateQuery.omit({ actor: true });
const ownEventsQuery = eventsQuery.omit({ actor: true });

export type UsageFormat = "json" | "csv";

export interface ParsedAggregate {
  readonly query: UsageAggregateQuery;
  readonly format: UsageFormat | undefined;
}

export interface ParsedEvents {
  readonly query: UsageListQuery;
  readonly format: UsageFormat | undefined;
}

/** `own`: the caller's actor id, for the /v1 route; it replaces any actor filter. */
export function parseAggregateQuery(raw: unknown, own?: string, now = Date.now()): ParsedAggregate {
  const schema = own === undefined ? aggregateQuery : ownAggregateQuery;
  const input: z.output<typeof aggregateQuery> = parse(schema, raw ?? {}, "the query");
  const actor = own ?? input.actor;
  return {
    query: { ...filter(input, actor, now), groupBy: input.groupBy ?? [] },
    format: input.format,
  };
}

export function parseEventsQuery(raw: unknown, own?: string, now = Date.now()): ParsedEvents {
  const schema = own === undefined ? eventsQuery : ownEventsQuery;
  const input: z.output<typeof eventsQuery> = parse(schema, raw ?? {}, "the query");
  const actor = own ?? input.actor;
  return {
    query: { ...filter(input, actor, now), ...(input.limit === undefined ? {} : { limit: input.limit }) },
    format: input.format,
  };
}

interface FilterInput {
  from?: Date | undefined;
  to?: Date | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  feature?: string | undefined;
  status?: number | undefined;
}

function filter(input: FilterInput, actor: string | undefined, now: number) {
  const to = input.to ?? new Date(now);
  const from = input.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
  if (to.getTime() <= from.getTime()) {
    throw new GatewayError("invalid_request", "`to`: must be after `from`", { param: "to" });
  }
  return {
    from,
    to,
    ...(actor === undefined ? {} : { actorId: actor }),
    ...(input.model === undefined ? {} : { modelRef: input.model }),
    ...(input.provider === undefined ? {} : { providerId: input.provider }),
    ...(input.feature === undefined ? {} : { feature: input.feature }),
    ...(input.status === undefined ? {} : { status: input.status }),
  };
}
