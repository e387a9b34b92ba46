import type { ActorView } from "../auth/access-admin.js";
import { LIMIT_FEATURES } from "./actors-input.js";

/** How `tollgate actors` prints actors for a person: one table row each, or one actor in full. */

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `60 requests/1m, 4 concurrent`: one feature's limit as written in the store. */
function limitText(limit: unknown): string {
  if (!isFields(limit)) return JSON.stringify(limit);
  const parts: string[] = [];
  const per = limit.interval === undefined ? "" : `/${String(limit.interval)}`;
  if (limit.requests !== undefined) parts.push(`${String(limit.requests)} requests${per}`);
  if (limit.tokens !== undefined) parts.push(`${String(limit.tokens)} tokens${per}`);
  if (limit.concurrent !== undefined) parts.push(`${String(limit.concurrent)} concurrent`);
  return parts.join(", ");
}

/** Each feature's limit, `chat: 60 requests/1m; *: 4 concurrent`; none of its own means the defaults apply. */
export function limitLines(limits: ActorView["limits"]): string[] {
  if (limits === null || Object.keys(limits).length === 0) return ["defaults (limits.defaults)"];
  // In the schema's order: Postgres's jsonb does not keep the order they were written in.
  const rank = (feature: string) => {
    const index = LIMIT_FEATURES.indexOf(feature);
    return index === -1 ? LIMIT_FEATURES.length : index;
  };
  return Object.entries(limits)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([feature, limit]) => `${feature}: ${limitText(limit)}`);
}

export function budgetText(budget: ActorView["budget"]): string {
  if (budget === null) return "none";
  return isFields(budget) ? `$${String(budget.usd)}/${String(budget.period)}` : JSON.stringify(budget);
}

export function modelsText(allowedModels: ActorView["allowedModels"]): string {
  if (allowedModels === null) return "all";
  return allowedModels.length === 0 ? "none" : allowedModels.join(", ");
}

export function actorTable(actors: ActorView[]): string {
  const rows = [
    ["ID", "NAME", "ROLE", "STATUS", "SOURCE", "MODELS", "LIMITS", "BUDGET"],
    ...actors.map((actor) => [
      actor.id,
      actor.name,
      actor.role,
      actor.status,
      actor.source,
      modelsText(actor.allowedModels),
      actor.limits === null ? "defaults" : limitLines(actor.limits).join("; "),
      actor.budget === null ? "-" : budgetText(actor.budget),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map(
      (row) =>
        `${row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

/** One actor in full; `tokens` counts its tokens by state when known. */
export function actorDetails(actor: ActorView, tokens?: Record<string, number>): string {
  const lines: [string, string][] = [
    ["id", actor.id],
    ["name", actor.name],
    ["role", actor.role],
    ["status", actor.status],
    ["source", actor.source],
    ["allowed models", modelsText(actor.allowedModels)],
  ];
  limitLines(actor.limits).forEach((line, index) => {
    lines.push([index === 0 ? "limits" : "", line]);
  });
  lines.push(["budget", budgetText(actor.budget)]);
  if (tokens !== undefined) {
    const counts = Object.entries(tokens).map(([state, count]) => `${count} ${state}`);
    lines.push(["tokens", counts.length === 0 ? "none" : counts.join(", ")]);
  }
  lines.push(["created", actor.createdAt], ["updated", actor.updatedAt]);
  return lines.map(([label, value]) => `${(label === "" ? "" : `${label}:`).padEnd(16)}${value}\n`).join("");
}
