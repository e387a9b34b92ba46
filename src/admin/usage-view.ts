import type { FastifyReply, FastifyRequest } from "fastify";
import type { UsageAggregateRow, UsageEvent, UsageEventsRepository } from "../store/usage-events.js";
import type { ParsedAggregate, ParsedEvents, UsageFormat } from "./usage-query.js";

/** The usage routes' answers, as JSON or CSV; shared by the admin routes and the caller's own. */

const TOTALS = [
  "requests",
  "errors",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "reasoningTokens",
  "costUsd",
] as const;

function wantsCsv(request: FastifyRequest, format: UsageFormat | undefined): boolean {
  if (format !== undefined) return format === "csv";
  return /\btext\/csv\b/i.test(request.headers.accept ?? "");
}

/** RFC 4180: quote a field holding a comma, a quote or a line break; double its quotes. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(header: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [header.join(",")];
  for (const row of rows) lines.push(header.map((name) => csvField(row[name])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function eventJson(event: UsageEvent): Record<string, unknown> {
  return { ...event, time: event.time.toISOString() };
}

function rowJson(row: UsageAggregateRow): Record<string, unknown> {
  const { keys, ...totals } = row;
  return { ...keys, ...totals };
}

export async function sendAggregate(
  request: FastifyRequest,
  reply: FastifyReply,
  repository: UsageEventsRepository,
  { query, format }: ParsedAggregate,
): Promise<unknown> {
  const rows = (await repository.aggregate(query)).map(rowJson);
  if (wantsCsv(request, format)) {
    return reply.type("text/csv; charset=utf-8").send(csv([...query.groupBy, ...TOTALS], rows));
  }
  return { from: query.from.toISOString(), to: query.to.toISOString(), groupBy: query.groupBy, rows };
}

export async function sendEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  repository: UsageEventsRepository,
  { query, format }: ParsedEvents,
): Promise<unknown> {
  const events = (await repository.list(query)).map(eventJson);
  if (wantsCsv(request, format)) {
    const header = events[0] ? Object.keys(events[0]) : ["time", "requestId"];
    return reply.type("text/csv; charset=utf-8").send(csv(header, events));
  }
  return { events };
}
