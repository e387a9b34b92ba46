import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { StoreError } from "./errors.js";
import type { QueryOptions, SqlDriver, SqlExecutor, SqlRow, SqlSession, SqlValue } from "./sql.js";
import { redactUrl } from "./url.js";

export interface PostgresOptions {
  connectionString: string;
  schema: string | undefined;
  /** Connecting, and waiting for a free pooled connection, fails after this long (`storage.connectTimeout`). */
  connectTimeoutMs?: number | undefined;
  /** An unanswered query fails after this long (`storage.queryTimeout`); migrations are exempt. */
  queryTimeoutMs?: number | undefined;
  /** The same for queries run with `{long: true}` (admin reports, retention), default 60 s. */
  longQueryTimeoutMs?: number | undefined;
}

const POOL_SIZE = 5;
/** Long queries (admin reports, retention) run a few at once, on a pool beside the request path's. */
const LONG_POOL_SIZE = 3;
export const DEFAULT_POSTGRES_QUERY_TIMEOUT_MS = 5_000;
export const DEFAULT_POSTGRES_LONG_QUERY_TIMEOUT_MS = 60_000;
export const DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
const IDLE_TIMEOUT_MS = 30_000;
/** A migration may rewrite a large table: its session waits for the server as long as it takes. */
const MIGRATION_QUERY_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** The client's own deadline trails the server's, so a slow query ends with the server's clearer error. */
const CLIENT_TIMEOUT_MARGIN_MS = 500;
const MIGRATION_LOCK_NAME = "tollgate:migrate";

// Postgres type OIDs: BIGINT becomes a number (epoch milliseconds and ids stay well under 2^53), and
// JSON/JSONB stay text so both drivers hand the repositories the same JSON strings to parse.
const INT8_OID = 20;
const JSON_OIDS = new Set([114, 3802]);
const typeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (JSON_OIDS.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as "text");
  },
} as pg.CustomTypesConfig;

export async function openPostgresDriver(options: PostgresOptions): Promise<SqlDriver> {
  const pool = openPool(options, POOL_SIZE, options.queryTimeoutMs ?? DEFAULT_POSTGRES_QUERY_TIMEOUT_MS);
  const driver = new PostgresDriver(pool, options);
  // Connect once now, so a wrong URL or a database that is down fails at start with storage.url named.
  try {
    if (options.schema === undefined) await driver.ping();
    else await createSchema(driver, options.schema);
  } catch (error) {
    await pool.end();
    throw connectionError(options.connectionString, error);
  }
  return driver;
}

function openPool(options: PostgresOptions, max: number, queryTimeoutMs: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max,
    // Bounds both a new connection and the wait for a pooled one: a blackholed server must not hang requests.
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    // The server ends slow queries; the client's read timeout covers a server that never answers at all
    // (statement_timeout cannot fire when the packets are lost). A timed-out connection is discarded.
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
    keepAlive: true,
    // Idle pooled connections must not keep a stopping process alive.
    allowExitOnIdle: true,
    application_name: "tollgate",
    types: typeParsers,
    // Every pooled connection starts with the schema on its search_path, so no query names it.
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return pool;
}

async function createSchema(driver: PostgresDriver, schema: string): Promise<void> {
  try {
    await driver.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    // Two processes creating the schema at once can both pass IF NOT EXISTS; the loser sees a duplicate.
    if (driver.constraintViolation(error) !== "unique" && pgCode(error) !== "42P06") throw error;
  }
}

function connectionError(connectionString: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(
    `Cannot use the Postgres store at storage.url "${redactUrl(connectionString)}": ${reason}`,
    {
      cause: error,
    },
  );
}

function ignoreError(): void {}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
}

/** Without `queryTimeoutMs`, the pool's query timeout applies; with it, this session's own (migrations). */
function executor(client: Queryable, queryTimeoutMs?: number): SqlExecutor {
  const send = (text: string, values?: unknown[]) =>
    queryTimeoutMs === undefined
      ? client.query(text, values)
      : client.query({ text, ...(values ? { values } : {}), query_timeout: queryTimeoutMs } as never);
  return {
    kind: "postgres",
    async query<Row extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) {
      return (await send(sql, [...params])).rows as Row[];
    },
    async run(sql, params = []) {
      return (await send(sql, [...params])).rowCount ?? 0;
    },
    async exec(script) {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await send(script);
    },
  };
}

/** A session bound to one checked-out connection; `transaction` runs BEGIN/COMMIT on it. */
function clientSession(client: pg.PoolClient, inTransaction: boolean, queryTimeoutMs?: number): SqlSession {
  const session: SqlSession = {
    ...executor(client, queryTimeoutMs),
    async transaction(work) {
      if (inTransaction) return work(session);
      await client.query("BEGIN");
      try {
        const result = await work(clientSession(client, true, queryTimeoutMs));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    },
  };
  return session;
}

class PostgresDriver implements SqlDriver {
  readonly kind = "postgres" as const;
  readonly #pool: pg.Pool;
  readonly #pooled: SqlExecutor;
  /** Opened at the first long query: a gateway whose admin API is never asked for reports opens none. */
  #longPool: pg.Pool | undefined;
  #long: SqlExecutor | undefined;
  readonly #options: PostgresOptions;
  #closed = false;
  /** Set inside a transaction, to catch work that bypasses the transaction's session. */
  readonly #inTransaction = new AsyncLocalStorage<true>();

  constructor(pool: pg.Pool, options: PostgresOptions) {
    this.#pool = pool;
    this.#options = options;
    this.#pooled = executor(pool);
  }

  async query<Row extends SqlRow = SqlRow>(
    sql: string,
    params?: readonly SqlValue[],
    options?: QueryOptions,
  ): Promise<Row[]> {
    this.#checkOpen();
    return (options?.long ? this.#longExecutor() : this.#pooled).query<Row>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<number> {
    this.#checkOpen();
    return (options?.long ? this.#longExecutor() : this.#pooled).run(sql, params);
  }

  async exec(script: string): Promise<void> {
    this.#checkOpen();
    return this.#pooled.exec(script);
  }

  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.#withClient((client) =>
      clientSession(client, false).transaction((tx) => this.#inTransaction.run(true, () => work(tx))),
    );
  }

  withMigrationLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    // Waiting for another replica's migration, or rewriting a large table, may take longer than any query
    // on the request path: this session has no statement timeout until it goes back to the pool.
    return this.#withClient(async (client) => {
      // A session-level advisory lock, keyed by schema so separate deployments in one database do not wait
      // on each other; it is released explicitly, or by the server if this connection dies.
      const key = `${MIGRATION_LOCK_NAME}:${this.#options.schema ?? "current"}`;
      const long = executor(client, MIGRATION_QUERY_TIMEOUT_MS);
      await long.exec("SET statement_timeout = 0");
      await long.query("SELECT pg_advisory_lock(hashtext($1))", [key]);
      try {
        return await work(clientSession(client, false, MIGRATION_QUERY_TIMEOUT_MS));
      } finally {
        await long.query("SELECT pg_advisory_unlock(hashtext($1))", [key]);
        // Back to the value the connection started with (storage.queryTimeout).
        await long.exec("RESET statement_timeout");
      }
    });
  }

  async ping(): Promise<void> {
    await this.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pool.end(), this.#longPool?.end()]);
  }

  constraintViolation(error: unknown): "unique" | "foreign-key" | undefined {
    const code = pgCode(error);
    if (code === "23505") return "unique";
    if (code === "23503") return "foreign-key";
    return undefined;
  }

  async #withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#checkOpen();
    const client = await this.#pool.connect();
    // A connection lost while checked out emits 'error' besides failing its queries; unheard, that event
    // would kill the process (a store restart during a transaction, a reload's config sync).
    client.on("error", ignoreError);
    let failed = false;
    try {
      return await work(client);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      client.removeListener("error", ignoreError);
      // After a failure the connection may be mid-transaction or still hold the migration lock (if ROLLBACK
      // or the unlock failed): destroy it rather than return it to the pool. Reconnecting is cheap.
      client.release(failed);
    }
  }

  #longExecutor(): SqlExecutor {
    if (this.#long === undefined) {
      // Never shorter than the request path's (an operator may have raised storage.queryTimeout past it).
      const timeout = Math.max(
        this.#options.longQueryTimeoutMs ?? DEFAULT_POSTGRES_LONG_QUERY_TIMEOUT_MS,
        this.#options.queryTimeoutMs ?? DEFAULT_POSTGRES_QUERY_TIMEOUT_MS,
      );
      this.#longPool = openPool(this.#options, LONG_POOL_SIZE, timeout);
      this.#long = executor(this.#longPool);
    }
    return this.#long;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError("closed", "The store is closed.");
    if (this.#inTransaction.getStore()) {
      throw new Error(
        "Store used outside its open transaction: inside store.transaction(), use the tx it passes.",
      );
    }
  }
}
