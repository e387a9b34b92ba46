import type { StoreKind } from "../sql.js";

/**
 * One step of the schema. Ids increase by one; a released migration is never edited, only followed by a
 * new one. `sql` returns the script for a dialect: the text is shared, only column types differ.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  sql(kind: StoreKind): string;
}

export interface ColumnTypes {
  /** JSON documents: JSONB on Postgres; TEXT on SQLite (a JSONB column would get NUMERIC affinity there). */
  readonly json: string;
  /** Integer primary key assigned by the database. */
  readonly autoId: string;
}

/** Column types that differ between the dialects. Timestamps are epoch milliseconds in BIGINT on both. */
export function columnTypes(kind: StoreKind): ColumnTypes {
  return kind === "postgres"
    ? { json: "JSONB", autoId: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" }
    : { json: "TEXT", autoId: "INTEGER PRIMARY KEY AUTOINCREMENT" };
}
