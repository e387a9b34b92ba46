import type { SqlValue } from "../sql.js";
import type { AuditRecord, AuditRepository, JsonObject } from "../store.js";
import { jsonOrNull, parseJson, type RepositoryContext, textOrNull, toDate, toMillis } from "./rows.js";

interface AuditRow {
  id: number;
  at: number;
  actor_id: string | null;
  action: string;
  target: string | null;
  details: string | null;
  [column: string]: unknown;
}

const COLUMNS = "id, at, actor_id, action, target, details";
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function toEntry(row: AuditRow): AuditRecord {
  return {
    id: Number(row.id),
    at: toDate(row.at),
    actorId: textOrNull(row.actor_id),
    action: row.action,
    target: textOrNull(row.target),
    details: parseJson(row.details) as JsonObject | null,
  };
}

export function auditRepository({ sql }: RepositoryContext): AuditRepository {
  return {
    async append(entry) {
      const [row] = await sql.query<AuditRow>(
        `INSERT INTO audit_log (at, actor_id, action, target, details) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${COLUMNS}`,
        [
          toMillis(entry.at ?? new Date()),
          entry.actorId,
          entry.action,
          entry.target ?? null,
          jsonOrNull(entry.details),
        ],
      );
      return toEntry(row!);
    },

    async list(options = {}) {
      const limit = options.limit ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new RangeError(`audit list limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
      }
      const conditions: string[] = [];
      const params: SqlValue[] = [];
      const where = (condition: string, value: SqlValue) => {
        params.push(value);
        conditions.push(`${condition} $${params.length}`);
      };
      if (options.beforeId !== undefined) where("id <", options.beforeId);
      if (options.actorId !== undefined) where("actor_id =", options.actorId);
      if (options.action !== undefined) where("action =", options.action);
      if (options.target !== undefined) where("target =", options.target);
      if (options.from !== undefined) where("at >=", toMillis(options.from));
      if (options.to !== undefined) where("at <", toMillis(options.to));
      const filter = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
      params.push(limit);
      const rows = await sql.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_log ${filter} ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toEntry);
    },
  };
}
