import { runMigrations } from "./migrate.js";
import { migrations as allMigrations, type Migration } from "./migrations/index.js";
import { openPostgresDriver } from "./postgres-driver.js";
import { actorsRepository } from "./repositories/actors.js";
import { auditRepository } from "./repositories/audit.js";
import { catalogueEntriesRepository } from "./repositories/catalogue-entries.js";
import { providerKeysRepository } from "./repositories/provider-keys.js";
import type { RepositoryContext } from "./repositories/rows.js";
import { settingsRepository } from "./repositories/settings.js";
import { tokensRepository } from "./repositories/tokens.js";
import { usageEventsRepository } from "./repositories/usage-events.js";
import type { SqlDriver, SqlExecutor } from "./sql.js";
import { openSqliteDriver } from "./sqlite-driver.js";
import type { MigrationResult, Store, StoreRepositories } from "./store.js";
import { parseStorageUrl } from "./url.js";

export interface OpenStoreOptions {
  /** Directory that a relative `sqlite:PATH` is resolved against (default: the working directory). */
  readonly baseDir?: string;
  /** The migrations `migrate()` applies; default all of them. Tests use it to play an older or newer Tollgate. */
  readonly migrations?: readonly Migration[];
  /** Postgres only: `storage.connectTimeout` and `storage.queryTimeout` in milliseconds (defaults 5 s each). */
  readonly connectTimeoutMs?: number;
  readonly queryTimeoutMs?: number;
}

/**
 * Opens the store named by `storage.url`: `sqlite:PATH`, `sqlite::memory:`, or `postgres://…`
 * (`?schema=NAME` to keep Tollgate's tables in their own schema, created if missing). It does not
 * migrate: call `store.migrate()` at start.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = parseStorageUrl(url, options.baseDir);
  const driver =
    target.kind === "sqlite"
      ? await openSqliteDriver(target.path)
      : await openPostgresDriver({
          connectionString: target.connectionString,
          schema: target.schema,
          connectTimeoutMs: options.connectTimeoutMs,
          queryTimeoutMs: options.queryTimeoutMs,
        });
  return createStore(driver, options.migrations ?? allMigrations);
}

function repositories(driver: SqlDriver, sql: SqlExecutor): StoreRepositories {
  const context: RepositoryContext = {
    sql,
    constraintViolation: (error) => driver.constraintViolation(error),
    // Off-thread writes would escape a transaction: only the store itself, never `tx`, may use them.
    ...(sql === driver && driver.bulkInsert ? { bulkInsert: driver.bulkInsert } : {}),
  };
  return {
    settings: settingsRepository(context),
    actors: actorsRepository(context),
    tokens: tokensRepository(context),
    audit: auditRepository(context),
    providerKeys: providerKeysRepository(context),
    usageEvents: usageEventsRepository(context),
    catalogueEntries: catalogueEntriesRepository(context),
  };
}

function createStore(driver: SqlDriver, migrations: readonly Migration[]): Store {
  return {
    kind: driver.kind,
    ...repositories(driver, driver),
    transaction: (work) => driver.transaction((tx) => work(repositories(driver, tx))),
    migrate: (): Promise<MigrationResult> => runMigrations(driver, migrations),
    ping: () => driver.ping(),
    close: () => driver.close(),
  };
}
