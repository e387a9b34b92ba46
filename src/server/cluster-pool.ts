import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../telemetry/logger.js";
import { MetricsAggregator, sendToPrimary } from "../telemetry/metrics-cluster.js";
import { defaultRestartPolicy, RestartBackoff, type RestartPolicy } from "./cluster-restarts.js";

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
  sendToPrimary({ type: "tollgate:listening", facts } satisfies ListeningMessage<Facts>);
}

export interface WorkerPoolOptions<Facts> {
  /** Workers kept running. */
  size: number;
  logger: Logger;
  /** Once, when every worker of the first generation listens: the first one's startup facts. */
  onListening: (facts: Facts) => void;
  /** When a worker that exited is replaced, and when the pool gives up (`defaultRestartPolicy`). */
  restarts?: Partial<RestartPolicy>;
  /** A worker that has not listened this long after its fork is killed and replaced (default 60 s). */
  startTimeoutMs?: number;
}

const START_TIMEOUT_MS = 60_000;

interface Member {
  worker: Worker;
  listenedAt?: number;
  startTimer?: NodeJS.Timeout;
  /** A reload asked for while it started: told once it listens (before, SIGHUP could kill it). */
  reloadWhenListening: boolean;
}

/**
 * The primary's side of `tollgate serve --workers N` (node:cluster: the workers share its listening socket).
 * It keeps `size` workers running, replacing one that exits unexpectedly or does not listen in time (after a
 * growing delay; it gives up only on a start that keeps failing), forwards SIGHUP to the workers that listen,
 * and on `stop` has every worker drain and resolves `finished` when all are gone.
 */
export class WorkerPool<Facts> {
  /** 0 when every worker drained and exited 0; 1 when one failed to, or the pool gave up on failing starts. */
  readonly finished: Promise<number>;
  private resolveFinished!: (code: number) => void;
  /** By worker id. */
  private readonly members = new Map<number, Member>();
  private readonly pendingForks = new Set<NodeJS.Timeout>();
  private readonly backoff: RestartBackoff;
  private stopping = false;
  private failed = false;
  /** Workers that said they listen, counted once each, and the first one's startup facts. */
  private listenedCount = 0;
  private firstFacts: Facts | undefined;
  private announced = false;
  /** `/metrics` of any worker shows every worker's, aggregated here. */
  private readonly metrics = new MetricsAggregator(() => this.listeningWorkers());

  constructor(private readonly options: WorkerPoolOptions<Facts>) {
    this.backoff = new RestartBackoff({ ...defaultRestartPolicy, ...options.restarts });
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  start(): void {
    for (let index = 0; index < this.options.size; index++) this.fork();
  }

  /** Each worker reloads its config file, as a single process does on SIGHUP. */
  reload(): void {
    for (const member of this.members.values()) {
      if (member.listenedAt === undefined) member.reloadWhenListening = true;
      else member.worker.process.kill("SIGHUP");
    }
  }

  /** Every worker drains (its gateway's graceful close); a second call changes nothing. */
  stop(signal: NodeJS.Signals): void {
    if (this.stopping) return;
    this.stopping = true;
    this.options.logger.info({ signal, workers: this.members.size }, "shutting down");
    this.drainAll();
  }

  private drainAll(): void {
    for (const timer of this.pendingForks) clearTimeout(timer);
    this.pendingForks.clear();
    if (this.members.size === 0) this.resolveFinished(this.failed ? 1 : 0);
    for (const { worker } of this.members.values()) worker.process.kill("SIGTERM");
  }

  private *listeningWorkers(): Iterable<Worker> {
    for (const member of this.members.values()) if (member.listenedAt !== undefined) yield member.worker;
  }

  private fork(): void {
    const { logger } = this.options;
    const worker = cluster.fork();
    const member: Member = { worker, reloadWhenListening: false };
    this.members.set(worker.id, member);
    logger.info({ worker: worker.id, pid: worker.process.pid }, "worker started");
    const startTimeoutMs = this.options.startTimeoutMs ?? START_TIMEOUT_MS;
    member.startTimer = setTimeout(() => {
      logger.error(
        { worker: worker.id, pid: worker.process.pid, seconds: startTimeoutMs / 1000 },
        `worker did not listen within ${startTimeoutMs / 1000} s; killing it`,
      );
      worker.process.kill("SIGKILL");
    }, startTimeoutMs);
    worker.on("message", (message: unknown) => {
      if (isListeningMessage<Facts>(message)) this.listening(member, message.facts);
      else this.metrics.handle(worker, message);
    });
    worker.once("exit", (code, signal) => this.exited(member, code, signal));
  }

  /** Announced once, when as many workers as the pool keeps have listened (a replacement of one that never did counts). */
  private listening(member: Member, facts: Facts): void {
    if (member.listenedAt !== undefined) return;
    member.listenedAt = Date.now();
    clearTimeout(member.startTimer);
    this.backoff.listened();
    if (member.reloadWhenListening && !this.stopping) member.worker.process.kill("SIGHUP");
    this.listenedCount++;
    this.firstFacts ??= facts;
    if (this.announced || this.listenedCount < this.options.size) return;
    this.announced = true;
    this.options.onListening(this.firstFacts);
  }

  private exited(member: Member, code: number | null, signal: string | null): void {
    const { logger } = this.options;
    const { worker, listenedAt } = member;
    clearTimeout(member.startTimer);
    this.members.delete(worker.id);
    this.metrics.retire(worker);
    const fields = { worker: worker.id, pid: worker.process.pid, code, signal };
    if (this.stopping) {
      // One still starting had nothing to drain, however it ended (a Ctrl-C's SIGINT may reach it first).
      if (listenedAt === undefined) logger.info(fields, "worker stopped before it listened");
      else if (code !== 0) {
        this.failed = true;
        logger.error(fields, "worker did not drain cleanly");
      }
      if (this.members.size === 0) this.resolveFinished(this.failed ? 1 : 0);
      return;
    }
    const delayMs = this.backoff.next(listenedAt === undefined ? undefined : Date.now() - listenedAt);
    if (delayMs === undefined) {
      const failedStarts = this.backoff.failedInARow;
      logger.error(
        { ...fields, failedStarts },
        `workers keep exiting before they listen (${failedStarts} in a row): stopping`,
      );
      this.stopping = true;
      this.failed = true;
      this.drainAll();
      return;
    }
    logger.error(
      { ...fields, restartInMs: delayMs },
      listenedAt === undefined
        ? "worker exited before it listened; starting a replacement"
        : "worker exited unexpectedly; starting a replacement",
    );
    const timer = setTimeout(() => {
      this.pendingForks.delete(timer);
      this.fork();
    }, delayMs);
    this.pendingForks.add(timer);
  }
}
