import type { SqlValue } from "../sql.js";
import type {
  ActorPatch,
  ActorRecord,
  ActorRole,
  ActorSource,
  ActorStatus,
  ActorsRepository,
  JsonObject,
  NewActor,
} from "../store.js";
import {
  explainConstraints,
  jsonOrNull,
  parseJson,
  type RepositoryContext,
  toDate,
  toMillis,
} from "./rows.js";

interface ActorRow {
  id: string;
  name: string;
  role: string;
  status: string;
  allowed_models: string | null;
  limits: string | null;
  budget: string | null;
  source: string;
  created_at: number;
  updated_at: number;
  [column: string]: unknown;
}

const COLUMNS = "id, name, role, status, allowed_models, limits, budget, source, created_at, updated_at";

/** Patch fields and the column each is written to; JSON columns are serialised. */
const PATCH_COLUMNS = {
  name: { column: "name", json: false },
  role: { column: "role", json: false },
  status: { column: "status", json: false },
  allowedModels: { column: "allowed_models", json: true },
  limits: { column: "limits", json: true },
  budget: { column: "budget", json: true },
  source: { column: "source", json: false },
} as const satisfies Record<keyof ActorPatch, { column: string; json: boolean }>;

function toActor(row: ActorRow): ActorRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role as ActorRole,
    status: row.status as ActorStatus,
    allowedModels: parseJson(row.allowed_models) as string[] | null,
    limits: parseJson(row.limits) as JsonObject | null,
    budget: parseJson(row.budget) as JsonObject | null,
    source: row.source as ActorSource,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

const INSERT = `INSERT INTO actors (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`;

function insertParams(actor: NewActor): SqlValue[] {
  return [
    actor.id,
    actor.name,
    actor.role,
    actor.status ?? "active",
    jsonOrNull(actor.allowedModels),
    jsonOrNull(actor.limits),
    jsonOrNull(actor.budget),
    actor.source,
    toMillis(actor.createdAt ?? new Date()),
  ];
}

export function actorsRepository(context: RepositoryContext): ActorsRepository {
  const { sql } = context;
  return {
    async create(actor) {
      const rows = await explainConstraints(
        context,
        { unique: `An actor with id "${actor.id}" already exists.` },
        () => sql.query<ActorRow>(`${INSERT} RETURNING ${COLUMNS}`, insertParams(actor)),
      );
      return toActor(rows[0]!);
    },

    async createIfAbsent(actor) {
      // On Postgres a concurrent insert of the same id waits for the other transaction, then does nothing.
      const [row] = await sql.query<ActorRow>(
        `${INSERT} ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
        insertParams(actor),
      );
      return row === undefined ? undefined : toActor(row);
    },

    async get(id) {
      const [row] = await sql.query<ActorRow>(`SELECT ${COLUMNS} FROM actors WHERE id = $1`, [id]);
      return row === undefined ? undefined : toActor(row);
    },

    async list(filter = {}) {
      const conditions: string[] = [];
      const params: SqlValue[] = [];
      if (filter.source !== undefined) {
        params.push(filter.source);
        conditions.push(`source = $${params.length}`);
      }
      if (filter.status !== undefined) {
        params.push(filter.status);
        conditions.push(`status = $${params.length}`);
      }
      if (filter.role !== undefined) {
        params.push(filter.role);
        conditions.push(`role = $${params.length}`);
      }
      const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
      const lock = filter.lock === true && sql.kind === "postgres" ? " FOR UPDATE" : "";
      const rows = await sql.query<ActorRow>(
        `SELECT ${COLUMNS} FROM actors ${where} ORDER BY id${lock}`,
        params,
      );
      return rows.map(toActor);
    },

    async update(id, patch, at = new Date()) {
      const params: SqlValue[] = [id, toMillis(at)];
      const assignments = ["updated_at = $2"];
      for (const [field, { column, json }] of Object.entries(PATCH_COLUMNS)) {
        if (!(field in patch)) continue;
        const value = patch[field as keyof ActorPatch];
        if (value === undefined) continue;
        params.push(json ? jsonOrNull(value) : (value as string));
        assignments.push(`${column} = $${params.length}`);
      }
      const [row] = await sql.query<ActorRow>(
        `UPDATE actors SET ${assignments.join(", ")} WHERE id = $1 RETURNING ${COLUMNS}`,
        params,
      );
      return row === undefined ? undefined : toActor(row);
    },

    async delete(id) {
      return (await sql.run("DELETE FROM actors WHERE id = $1", [id])) > 0;
    },
  };
}
