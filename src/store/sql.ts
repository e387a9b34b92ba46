/**
 * The small SQL surface the repositories and the migration runner are written against. Both drivers
 * (SQLite, Postgres) implement it, so every query is written once, with Postgres-style `$1` placeholders.
 */
export type StoreKind = "sqlite" | "postgres";

export type SqlValue = string | number | null;

export type SqlRow = Record<string, unknown>;

export interface QueryOptions {
  /**
   * A statement that may rightly take long: an admin report over months of usage, a retention delete. On
   * Postgres it runs outside any transaction on connections of its own, under a long timeout (60 s) instead of
   * `storage.queryTimeout`, which stays short for the request path's token lookups; those connections are
   * separate so that slow reports cannot hold the ones the request path waits for. Inside a transaction the
   * transaction's timeout applies.
   */
  readonly long?: boolean;
}

export interface SqlExecutor {
  readonly kind: StoreKind;
  /** Runs one statement and returns its rows (use `RETURNING` for writes that need them). */
  query<Row extends SqlRow = SqlRow>(
    sql: string,
    params?: readonly SqlValue[],
    options?: QueryOptions,
  ): Promise<Row[]>;
  /** Runs one statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface SqlSession extends SqlExecutor {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Other work
   * on the same driver never interleaves with it. Nested calls join the outer transaction.
   */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
}

export interface SqlDriver extends SqlSession {
  /**
   * Runs `work` while holding the migration lock, which excludes other processes migrating the same
   * database: a Postgres advisory lock, or for SQLite the file's write lock taken by each transaction.
   */
  withMigrationLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs a one-row INSERT once per row, in one transaction, away from the calling thread where the driver can
   * (SQLite on a file: a worker thread). Absent: repositories write with `run`.
   */
  readonly bulkInsert?: (sql: string, rows: readonly SqlValue[][]) => Promise<void>;
  /** Classifies a driver error as a constraint violation, so repositories can explain it. */
  constraintViolation(error: unknown): "unique" | "foreign-key" | undefined;
}
