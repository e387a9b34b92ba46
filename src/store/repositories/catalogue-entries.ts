import type {
  CatalogueEntriesRepository,
  CatalogueEntryKind,
  CatalogueEntryRecord,
  JsonObject,
} from "../store.js";
import { jsonText, parseJson, type RepositoryContext, toDate, toMillis } from "./rows.js";

interface CatalogueEntryRow {
  kind: string;
  id: string;
  body: string;
  created_at: number;
  updated_at: number;
  [column: string]: unknown;
}

function toEntry(row: CatalogueEntryRow): CatalogueEntryRecord {
  return {
    kind: row.kind as CatalogueEntryKind,
    id: row.id,
    body: parseJson(row.body) as JsonObject,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export function catalogueEntriesRepository({ sql }: RepositoryContext): CatalogueEntriesRepository {
  return {
    async list() {
      const rows = await sql.query<CatalogueEntryRow>(
        "SELECT kind, id, body, created_at, updated_at FROM catalogue_entries ORDER BY kind DESC, created_at, id",
      );
      return rows.map(toEntry);
    },

    async get(kind, id) {
      const [row] = await sql.query<CatalogueEntryRow>(
        "SELECT kind, id, body, created_at, updated_at FROM catalogue_entries WHERE kind = $1 AND id = $2",
        [kind, id],
      );
      return row === undefined ? undefined : toEntry(row);
    },

    async insert(kind, id, body, at) {
      // Insert-if-absent, so two concurrent creates of one id give one entry and one conflict.
      const added = await sql.run(
        `INSERT INTO catalogue_entries (kind, id, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (kind, id) DO NOTHING`,
        [kind, id, jsonText(body), toMillis(at)],
      );
      return added > 0;
    },

    async update(kind, id, body, at, readAt) {
      const changed = await sql.run(
        "UPDATE catalogue_entries SET body = $3, updated_at = $4 WHERE kind = $1 AND id = $2 AND updated_at = $5",
        [kind, id, jsonText(body), toMillis(at), toMillis(readAt)],
      );
      return changed > 0;
    },

    async modelsOf(providerId) {
      // A prefix comparison, not LIKE: an id may hold `%` or `_`.
      const prefix = `${providerId}::`;
      const rows = await sql.query<{ id: string; [column: string]: unknown }>(
        "SELECT id FROM catalogue_entries WHERE kind = 'model' AND substr(id, 1, $1) = $2 ORDER BY id",
        [prefix.length, prefix],
      );
      return rows.map((row) => row.id);
    },

    async delete(kind, id) {
      return (await sql.run("DELETE FROM catalogue_entries WHERE kind = $1 AND id = $2", [kind, id])) > 0;
    },
  };
}
