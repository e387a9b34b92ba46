import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { StoreError } from "./errors.js";
import type { SqlDriver, SqlRow, SqlSession, SqlValue } from "./sql.js";
import { SqliteBulkWriter } from "./sqlite-bulk-writer.js";

const BUSY_TIMEOUT_MS = 5_000;

// SQLite extended result codes (https://www.sqlite.org/rescode.html).
const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_FOREIGNKEY = 787;

/**
 * Opens a SQLite database with `node:sqlite`. Its calls are synchronous; this driver keeps the async
 * interface and serialises work so that a transaction spanning several awaits never interleaves with
 * other queries on the same connection.
 */
export async function openSqliteDriver(path: string): Promise<SqlDriver> {
  if (path !== ":memory:") await prepareDatabaseFile(path);
  const { DatabaseSync } = await importSqlite();
  const database = new DatabaseSync(path);
  try {
    database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.exec("PRAGMA foreign_keys = ON");
    if (path !== ":memory:") {
      database.exec("PRAGMA journal_mode = WAL");
      // With WAL, NORMAL keeps the database consistent after a crash; only the last commits may be lost.
      database.exec("PRAGMA synchronous = NORMAL");
    }
  } catch (error) {
    database.close();
    throw error;
  }
  return new SqliteDriver(
    database,
    acquireLock(path),
    path === ":memory:" ? undefined : new SqliteBulkWriter(path, BUSY_TIMEOUT_MS),
  );
}

/**
 * Serialises work on one database file. Connections in one process share it: node:sqlite blocks the
 * thread while waiting for SQLite's file lock, so a second connection waiting on a transaction that the
 * first holds across an await would stall the very event loop that must finish it.
 */
interface FileLock {
  tail: Promise<unknown>;
  users: number;
  /** Set inside a transaction, to catch work that bypasses the transaction's session (it would deadlock). */
  readonly inTransaction: AsyncLocalStorage<true>;
}

const fileLocks = new Map<string, FileLock>();

function acquireLock(path: string): { lock: FileLock; release: () => void } {
  const create = (): FileLock => ({
    tail: Promise.resolve(),
    users: 0,
    inTransaction: new AsyncLocalStorage(),
  });
  const lock = path === ":memory:" ? create() : (fileLocks.get(path) ?? create());
  if (path !== ":memory:") fileLocks.set(path, lock);
  lock.users++;
  return {
    lock,
    release: () => {
      if (--lock.users === 0 && fileLocks.get(path) === lock) fileLocks.delete(path);
    },
  };
}

async function prepareDatabaseFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Create the file ourselves so it starts out private; SQLite gives its -wal and -shm files the same mode.
  const handle = await open(path, "a", 0o600);
  await handle.close();
}

/**
 * `node:sqlite` prints an ExperimentalWarning when first loaded on Node 22.x; silence that one warning
 * (and only it) so the gateway's output stays clean.
 */
async function importSqlite(): Promise<typeof import("node:sqlite")> {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const message = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const isSqliteWarning =
      (type === "ExperimentalWarning" || (warning as Error).name === "ExperimentalWarning") &&
      /sqlite/i.test(message);
    if (isSqliteWarning) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await import("node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * `$1` (Postgres) → SQLite's parameters, so the same SQL text serves both: plain `?` when they come in order
 * once each (node:sqlite binds numbered `?NNN` in quadratic time: a 12,500-parameter INSERT took 400 ms),
 * else numbered `?1`.
 */
function toSqliteParameters(sql: string): string {
  let next = 1;
  let inOrder = true;
  const plain = sql.replace(/\$(\d+)/g, (_, number: string) => {
    if (Number(number) !== next++) inOrder = false;
    return "?";
  });
  return inOrder ? plain : sql.replace(/\$(\d+)/g, "?$1");
}

class SqliteDriver implements SqlDriver {
  readonly kind = "sqlite" as const;
  readonly #database: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #lock: FileLock;
  readonly #releaseLock: () => void;
  #closed = false;

  readonly #bulk: SqliteBulkWriter | undefined;
  readonly bulkInsert: SqlDriver["bulkInsert"];

  constructor(
    database: DatabaseSync,
    { lock, release }: { lock: FileLock; release: () => void },
    bulk: SqliteBulkWriter | undefined,
  ) {
    this.#database = database;
    this.#lock = lock;
    this.#releaseLock = release;
    this.#bulk = bulk;
    this.bulkInsert = bulk ? (sql, rows) => bulk.insert(sql, rows) : undefined;
  }

  query<Row extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return this.#exclusive(() => this.#query<Row>(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#exclusive(() => this.#run(sql, params));
  }

  exec(script: string): Promise<void> {
    return this.#exclusive(() => this.#database.exec(script));
  }

  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.#exclusive(() => this.#transaction(work));
  }

  withMigrationLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    // Each migration runs in a `BEGIN IMMEDIATE` transaction, which takes the file's write lock and
    // re-reads what is applied; that is what keeps two processes from applying one migration twice.
    return work(this);
  }

  async ping(): Promise<void> {
    await this.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#bulk?.close();
    return this.#exclusive(() => {
      this.#closed = true;
      this.#statements.clear();
      this.#database.close();
      this.#releaseLock();
    });
  }

  constraintViolation(error: unknown): "unique" | "foreign-key" | undefined {
    const code = (error as { errcode?: unknown } | null)?.errcode;
    if (code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY) return "unique";
    if (code === SQLITE_CONSTRAINT_FOREIGNKEY) return "foreign-key";
    return undefined;
  }

  /** Queues `work` behind everything already started on this file, so transactions never interleave. */
  #exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.#lock.inTransaction.getStore()) {
      return Promise.reject(
        new Error(
          "Store used outside its open transaction: inside store.transaction(), use the tx it passes.",
        ),
      );
    }
    const result = this.#lock.tail.then(() => {
      if (this.#closed) throw new StoreError("closed", "The store is closed.");
      return work();
    });
    this.#lock.tail = result.catch(() => undefined);
    return result;
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(toSqliteParameters(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #query<Row extends SqlRow>(sql: string, params: readonly SqlValue[]): Row[] {
    return this.#statement(sql).all(...params) as Row[];
  }

  #run(sql: string, params: readonly SqlValue[]): number {
    return Number(this.#statement(sql).run(...params).changes);
  }

  async #transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    // Runs inside #exclusive: the session below bypasses the queue, which is held until the end.
    const session: SqlSession = {
      kind: this.kind,
      query: async <Row extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) =>
        this.#query<Row>(sql, params),
      run: async (sql, params = []) => this.#run(sql, params),
      exec: async (script) => this.#database.exec(script),
      transaction: (nested) => nested(session),
    };
    this.#database.exec("BEGIN IMMEDIATE");
    try {
      const result = await this.#lock.inTransaction.run(true, () => work(session));
      this.#database.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#database.isTransaction) this.#database.exec("ROLLBACK");
      throw error;
    }
  }
}
