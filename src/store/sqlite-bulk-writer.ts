import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SqlValue } from "./sql.js";

/**
 * Many rows through one single-row INSERT, in one transaction, on a worker thread with its own connection.
 * `node:sqlite` runs statements on the calling thread: usage events written by the gateway's own connection
 * cost the event loop about 7 µs each plus the WAL checkpoints, which showed as p99 latency. The worker waits
 * for SQLite's write lock (busy timeout) instead of the event loop.
 */
export class SqliteBulkWriter {
  #worker: Worker | undefined;
  #next = 0;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  constructor(
    private readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {}

  insert(sql: string, rows: readonly SqlValue[][]): Promise<void> {
    const worker = this.#started();
    const id = ++this.#next;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, sql: toPositional(sql), rows });
    });
  }

  /** Waits for the writes sent so far, then stops the thread. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const deadline = Date.now() + 10_000;
    while (this.#pending.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    this.#worker = undefined;
    await worker.terminate();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const file = threadFile();
    const worker = new Worker(file, {
      workerData: { path: this.path, busyTimeoutMs: this.busyTimeoutMs },
      // The TypeScript source (tests) needs type stripping, which Node before 22.18 does only on request.
      ...(file.pathname.endsWith(".ts") ? { execArgv: ["--experimental-strip-types"] } : {}),
    });
    worker.unref();
    worker.on("message", (message: { id: number; error?: string }) => {
      const waiting = this.#pending.get(message.id);
      if (!waiting) return;
      this.#pending.delete(message.id);
      if (message.error === undefined) waiting.resolve();
      else waiting.reject(new Error(`SQLite bulk insert failed: ${message.error}`));
    });
    // A thread that dies fails what it held; the next insert starts a new one.
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const waiting of this.#pending.values()) waiting.reject(error);
      this.#pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the SQLite writer thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}

/** The thread's file: compiled beside this one in dist/, or the TypeScript source when run from src/ (tests). */
function threadFile(): URL {
  const compiled = new URL("./sqlite-bulk-thread.js", import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : new URL("./sqlite-bulk-thread.ts", import.meta.url);
}

/** `$1, $2, …` in order → `?`, as the main driver does (see toSqliteParameters). */
function toPositional(sql: string): string {
  return sql.replace(/\$\d+/g, "?");
}
