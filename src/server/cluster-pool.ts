import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../telemetry/logger.js";
import { MetricsAggregator } from "../telemetry/metrics-cluster.js";

/** A worker's message to the primary once its gateway listens, with what the primary announces for all. */
interface ListeningMessage<Facts> {
  type: "tollgate:listening";
  facts: Facts;
}

function isListeningMessage<Facts>(message: unknown): message is ListeningMessage<Facts> {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as { type?: unknown }).type === "tollgate:listening"
  );
}

/** In a worker: tells the primary that this worker's gateway listens (its startup facts, for the summary). */
export function announceListening<Facts>(facts: Facts): void {
  const message: ListeningMessage<Facts> = { type: "tollgate:listening", facts };
  process.send?.(message);
}

export interface WorkerPoolOptions<Facts> {
  /** Workers kept running. */
  size: number;
  logger: Logger;
  /** Once, when every worker of the first generation listens: the first one's startup facts. */
  onListening: (facts: Facts) => void;
  /** A crash loop stops the pool: more than `maxRestarts` within `restartWindowMs` (default `size` per 10 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
}

const RESTART_WINDOW_MS = 10_000;

/**
 * The primary's side of `tollgate serve --workers N` (node:cluster: the workers share its listening socket).
 * It keeps `size` workers running, replacing one that exits unexpectedly unless they keep exiting, forwards
 * SIGHUP, and on `stop` has every worker drain and resolves `finished` when all are gone.
 */
export class WorkerPool<Facts> {
  /** 0 when every worker drained and exited 0; 1 when one failed to, or the pool gave up on a crash loop. */
  readonly finished: Promise<number>;
  private resolveFinished!: (code: number) => void;
  private readonly workers = new Set<Worker>();
  private readonly restarts: number[] = [];
  private stopping = false;
  private failed = false;
  private announced = false;
  /** Workers that said they listen (by id), with their startup facts. */
  private readonly listened = new Map<number, Facts>();
  /** `/metrics` of any worker shows every worker's, summed here. */
  private readonly metrics = new MetricsAggregator(() => this.workers);

  constructor(private readonly options: WorkerPoolOptions<Facts>) {
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  start(): void {
    for (let index = 0; index < this.options.size; index++) this.fork();
  }

  /** Each worker reloads its config file, as a single process does on SIGHUP. */
  reload(): void {
    for (const worker of this.workers) worker.process.kill("SIGHUP");
  }

  /** Every worker drains (its gateway's graceful close); a second call changes nothing. */
  stop(signal: NodeJS.Signals): void {
    if (this.stopping) return;
    this.stopping = true;
    this.options.logger.info({ signal, workers: this.workers.size }, "shutting down");
    this.drainAll();
  }

  private drainAll(): void {
    if (this.workers.size === 0) this.resolveFinished(this.failed ? 1 : 0);
    for (const worker of this.workers) worker.process.kill("SIGTERM");
  }

  private fork(): void {
    const { logger } = this.options;
    const worker = cluster.fork();
    this.workers.add(worker);
    logger.info({ worker: worker.id, pid: worker.process.pid }, "worker started");
    worker.on("message", (message: unknown) => {
      if (isListeningMessage<Facts>(message)) this.listening(worker, message.facts);
      else this.metrics.handle(worker, message);
    });
    worker.once("exit", (code, signal) => this.exited(worker, code, signal));
  }

  /** Announced once, when as many workers as the pool keeps have listened (a replacement of one that never did counts). */
  private listening(worker: Worker, facts: Facts): void {
    this.listened.set(worker.id, facts);
    if (this.announced || this.listened.size < this.options.size) return;
    this.announced = true;
    const first = [...this.listened.values()][0];
    if (first !== undefined) this.options.onListening(first);
  }

  private exited(worker: Worker, code: number | null, signal: string | null): void {
    const { logger } = this.options;
    this.workers.delete(worker);
    const fields = { worker: worker.id, pid: worker.process.pid, code, signal };
    if (this.stopping) {
      // A worker still starting may not handle the signal yet: it had nothing to drain.
      const stoppedStarting = signal === "SIGTERM" && !this.listened.has(worker.id);
      if (stoppedStarting) logger.info(fields, "worker stopped before it listened");
      else if (code !== 0) {
        this.failed = true;
        logger.error(fields, "worker did not drain cleanly");
      }
      if (this.workers.size === 0) this.resolveFinished(this.failed ? 1 : 0);
      return;
    }
    const now = Date.now();
    const windowMs = this.options.restartWindowMs ?? RESTART_WINDOW_MS;
    const maxRestarts = this.options.maxRestarts ?? this.options.size;
    while (this.restarts.length > 0 && (this.restarts[0] ?? 0) <= now - windowMs) this.restarts.shift();
    if (this.restarts.length >= maxRestarts) {
      logger.error(
        { ...fields, restarts: this.restarts.length, windowSeconds: windowMs / 1000 },
        `workers keep exiting (${this.restarts.length} restarts in ${windowMs / 1000} s): stopping`,
      );
      this.stopping = true;
      this.failed = true;
      this.drainAll();
      return;
    }
    this.restarts.push(now);
    logger.error(fields, "worker exited unexpectedly; starting a replacement");
    this.fork();
  }
}
