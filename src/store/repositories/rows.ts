import { StoreError } from "../errors.js";
import type { SqlDriver, SqlExecutor, SqlValue } from "../sql.js";

/** What a repository needs: somewhere to run SQL, and a way to recognise constraint violations. */
export interface RepositoryContext {
  readonly sql: SqlExecutor;
  /** The driver's off-thread bulk insert, outside transactions only (see SqlDriver.bulkInsert). */
  readonly bulkInsert?: SqlDriver["bulkInsert"];
  readonly constraintViolation: (error: unknown) => "unique" | "foreign-key" | undefined;
}

export function toMillis(date: Date): number {
  const millis = date.getTime();
  if (Number.isNaN(millis)) throw new RangeError("Invalid Date given to the store");
  return millis;
}

export function toMillisOrNull(date: Date | null | undefined): number | null {
  return date == null ? null : toMillis(date);
}

/** Timestamps come back as numbers from both drivers (the Postgres driver parses BIGINT). */
export function toDate(value: unknown): Date {
  return new Date(Number(value));
}

export function toDateOrNull(value: unknown): Date | null {
  return value == null ? null : toDate(value);
}

/** JSON parameter: `null` stays SQL NULL. */
export function jsonOrNull(value: unknown): SqlValue {
  return value == null ? null : jsonText(value);
}

export function jsonText(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError("The store only accepts JSON-serialisable values");
  return text;
}

/** Both drivers return JSON columns as text. */
export function parseJson(value: unknown): unknown {
  return value == null ? null : JSON.parse(String(value));
}

export function textOrNull(value: unknown): string | null {
  return value == null ? null : String(value);
}

/** Runs `work`, turning constraint violations into StoreErrors that say what clashed. */
export async function explainConstraints<T>(
  context: RepositoryContext,
  messages: { unique?: string; foreignKey?: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const violation = context.constraintViolation(error);
    if (violation === "unique" && messages.unique !== undefined) {
      throw new StoreError("conflict", messages.unique, { cause: error });
    }
    if (violation === "foreign-key" && messages.foreignKey !== undefined) {
      throw new StoreError("missing-reference", messages.foreignKey, { cause: error });
    }
    throw error;
  }
}
