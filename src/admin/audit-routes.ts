import { z } from "zod";
import type { AuditListOptions, AuditRecord, Store } from "../store/index.js";
import { type AdminRoute, adminRoute } from "./admin-route.js";
import { storableText } from "./text.js";

export interface AuditRouteDeps {
  store: Store;
}

const text = storableText.min(1, "must not be empty").max(200);
const instant = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date and time" });
/** Query values arrive as text: digits only, so `1e3` or `0x10` is refused rather than guessed at. */
const count = (max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,10}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1, "must be at least 1").max(max, `must be at most ${max}`));

const auditQuery = z
  .strictObject({
    actor: text.optional(),
    action: text.optional(),
    target: text.optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: count(1000).optional(),
    before: count(Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) < Date.parse(query.to), {
    error: "must be after `from`",
    path: ["to"],
  });

function entryView(entry: AuditRecord) {
  const { id, at, actorId, action, target, details } = entry;
  return { id, at: at.toISOString(), actorId, action, target, details };
}

const auditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
});

/**
 * `GET /admin/api/audit?actor=&action=&target=&from=&to=&limit=&before=`: who changed what, newest first, for
 * admins and readers. Entries never hold secrets (each writer leaves them out), so they are shown as stored.
 * `next` is the id to pass as `before` for the following page; absent on the last one.
 */
export function auditRoutes(deps: AuditRouteDeps): AdminRoute[] {
  return [
    adminRoute({
      method: "GET",
      path: "/admin/api/audit",
      permission: "admin:read",
      tag: "audit",
      summary: "Who changed what, newest first; page with `before`.",
      query: auditQuery,
      response: z.object({ entries: z.array(auditEntry), next: z.number().optional() }),
      handler: async ({ query }) => {
        const filters: AuditListOptions = {
          ...(query.actor === undefined ? {} : { actorId: query.actor }),
          ...(query.action === undefined ? {} : { action: query.action }),
          ...(query.target === undefined ? {} : { target: query.target }),
          ...(query.from === undefined ? {} : { from: new Date(query.from) }),
          ...(query.to === undefined ? {} : { to: new Date(query.to) }),
        };
        const limit = query.limit ?? 100;
        const page = await deps.store.audit.list({
          ...filters,
          limit,
          ...(query.before === undefined ? {} : { beforeId: query.before }),
        });
        const last = page.at(-1);
        // A full page may be the last one: one more row says whether another page exists.
        const more =
          last !== undefined &&
          page.length === limit &&
          (await deps.store.audit.list({ ...filters, limit: 1, beforeId: last.id })).length > 0;
        return { entries: page.map(entryView), ...(more ? { next: last.id } : {}) };
      },
    }),
  ];
}
