import { StoreError } from "./errors.js";
import type { Migration } from "./migrations/index.js";
import type { SqlDriver, SqlSession } from "./sql.js";
import type { MigrationInfo, MigrationResult } from "./store.js";

const CREATE_SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

interface AppliedRow {
  id: number;
  name: string;
  [column: string]: unknown;
}

/**
 * Brings the database up to the newest migration. Holding the driver's migration lock, it reads what is
 * applied, refuses a database migrated by a newer Tollgate, and applies each missing migration in its own
 * transaction together with its `schema_migrations` row, re-checking inside the transaction so that two
 * processes starting at once apply each migration exactly once.
 */
export async function runMigrations(
  driver: SqlDriver,
  migrations: readonly Migration[],
  now: () => number = Date.now,
): Promise<MigrationResult> {
  checkOrder(migrations);
  return driver.withMigrationLock(async (session) => {
    await session.exec(CREATE_SCHEMA_MIGRATIONS);
    const known = new Set(migrations.map((migration) => migration.id));
    const unknown = (await readApplied(session)).filter((row) => !known.has(row.id));
    if (unknown.length > 0) {
      const names = unknown.map((row) => `${formatId(row.id)}-${row.name}`).join(", ");
      throw new StoreError(
        "newer-schema",
        `The database has migrations this Tollgate does not know (${names}): it was migrated by a newer ` +
          "Tollgate. Run that version or a newer one, or restore a backup taken before the upgrade.",
      );
    }
    const applied: MigrationInfo[] = [];
    for (const migration of migrations) {
      const didApply = await session.transaction(async (tx) => {
        const [row] = await tx.query("SELECT id FROM schema_migrations WHERE id = $1", [migration.id]);
        if (row !== undefined) return false;
        try {
          await tx.exec(migration.sql(tx.kind));
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new StoreError(
            "migration-failed",
            `Migration ${formatId(migration.id)}-${migration.name} failed on ${tx.kind}: ${reason}`,
            { cause: error },
          );
        }
        await tx.run("INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)", [
          migration.id,
          migration.name,
          now(),
        ]);
        return true;
      });
      if (didApply) applied.push({ id: migration.id, name: migration.name });
    }
    return { applied, version: migrations.at(-1)?.id ?? 0 };
  });
}

async function readApplied(session: SqlSession): Promise<AppliedRow[]> {
  const rows = await session.query<AppliedRow>("SELECT id, name FROM schema_migrations ORDER BY id");
  return rows.map((row) => ({ id: Number(row.id), name: String(row.name) }));
}

/** Ids must run 1, 2, 3, ...: a gap or a repeat means a migration file was lost or duplicated. */
function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.id !== index + 1) {
      throw new Error(`Migration list is out of order: position ${index + 1} holds id ${migration.id}`);
    }
  });
}

export function formatId(id: number): string {
  return String(id).padStart(3, "0");
}
