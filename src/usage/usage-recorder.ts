import type { UsageEventsRepository } from "../store/usage-events.js";
import type { Logger } from "../telemetry/logger.js";
import type { UsageEvent } from "./usage-event.js";

export interface UsageRecorderOptions {
  /** Where batches go; its `insertMany` is looked up at each flush. */
  sink: Pick<UsageEventsRepository, "insertMany">;
  logger: Logger;
  /** Most events held (queued and in flight); past it new events are dropped and counted. */
  queueSize: number;
  /** Events per INSERT; a full batch is flushed at once, without waiting for the interval. */
  batchSize: number;
  flushIntervalMs: number;
  /** How long `close()` keeps trying to write what is left. */
  closeTimeoutMs?: number;
}

/** One warning of each kind per minute at most, whatever the request rate. */
const WARN_EVERY_MS = 60_000;

/**
 * Writes usage events in batches, off the request path: `record` only queues. One flush runs at a time; a
 * failed one keeps its events and is retried at the next interval, so a slow or failing store costs memory up
 * to `queueSize` and then dropped events, never a waiting request.
 */
export class UsageRecorder {
  readonly #options: UsageRecorderOptions;
  #queue: UsageEvent[] = [];
  /** Events taken by the flush in flight (still counted against the bound). */
  #inFlight = 0;
  #flushing: Promise<void> | undefined;
  #dropped = 0;
  #droppedSinceWarning = 0;
  #lastDropWarning = 0;
  #lastFailureWarning = 0;
  #closed = false;
  readonly #timer: NodeJS.Timeout;

  constructor(options: UsageRecorderOptions) {
    this.#options = options;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Events waiting or being written. */
  get depth(): number {
    return this.#queue.length + this.#inFlight;
  }

  /** Events dropped since start because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  record(event: UsageEvent): void {
    if (this.#closed || this.depth >= this.#options.queueSize) {
      this.#drop(1);
      return;
    }
    this.#queue.push(event);
    if (this.#queue.length >= this.#options.batchSize) void this.flush();
  }

  /** Writes what is queued, batch by batch; joins the flush in flight. Never rejects. */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the timer and writes everything left (graceful shutdown); later events are dropped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const deadline = Date.now() + (this.#options.closeTimeoutMs ?? 10_000);
    while (this.depth > 0 && Date.now() < deadline) {
      const flushed = await within(this.flush(), deadline - Date.now());
      if (!flushed) break;
      if (this.#queue.length > 0) await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
    }
    if (this.depth > 0) {
      this.#options.logger.error({ lost: this.depth }, "usage events could not be written before shutdown");
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.batchSize);
      this.#inFlight = batch.length;
      try {
        await this.#options.sink.insertMany(batch);
      } catch (error) {
        // Back to the front, in order; the bound counted them all along, so nothing is lost here.
        this.#queue.unshift(...batch);
        this.#warnFailure(error);
        return;
      } finally {
        this.#inFlight = 0;
      }
      // Requests run between batches: with SQLite an insert runs on this thread, and a whole second's events
      // written at once would hold up every request for the time (the p99 at a moderate rate showed it).
      if (this.#queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #drop(count: number): void {
    this.#dropped += count;
    this.#droppedSinceWarning += count;
    const now = Date.now();
    if (now - this.#lastDropWarning < WARN_EVERY_MS) return;
    this.#lastDropWarning = now;
    this.#options.logger.warn(
      { dropped: this.#droppedSinceWarning, total: this.#dropped, queueSize: this.#options.queueSize },
      "usage events dropped: the queue is full (the store is slow or failing)",
    );
    this.#droppedSinceWarning = 0;
  }

  #warnFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastFailureWarning < WARN_EVERY_MS) return;
    this.#lastFailureWarning = now;
    this.#options.logger.warn(
      { err: error, queued: this.depth },
      "usage events not written; retrying at the next flush",
    );
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Whether `work` settled within `milliseconds`. */
async function within(work: Promise<void>, milliseconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, milliseconds));
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
