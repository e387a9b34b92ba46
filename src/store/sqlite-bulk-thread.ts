/**
 * The worker side of SQLite bulk inserts (sqlite-bulk-writer.ts): its own connection to the database file, so
 * writing usage events, and the WAL checkpoints they cause, never block the gateway's event loop. Only Node
 * built-ins and type imports: the file runs as it is in a worker thread, from dist/ or (tests) from src/.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";

interface Job {
  id: number;
  sql: string;
  rows: (string | number | null)[][];
}

const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs: number };
const { DatabaseSync: Database } = (await import("node:sqlite")) as { DatabaseSync: typeof DatabaseSync };
const database = new Database(path);
database.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
database.exec("PRAGMA synchronous = NORMAL");
const statements = new Map<string, StatementSync>();

parentPort!.on("message", (job: Job) => {
  try {
    let statement = statements.get(job.sql);
    if (!statement) {
      statement = database.prepare(job.sql);
      statements.set(job.sql, statement);
    }
    database.exec("BEGIN IMMEDIATE");
    try {
      for (const row of job.rows) statement.run(...row);
      database.exec("COMMIT");
    } catch (error) {
      database.exec("ROLLBACK");
      throw error;
    }
    parentPort!.postMessage({ id: job.id });
  } catch (error) {
    parentPort!.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
