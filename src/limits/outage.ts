/** The slice of pino's Logger the limiter uses. */
export interface LimiterLogger {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

export type FailMode = "open" | "closed";
export type LimiterOperation = "admit" | "settle" | "release" | "read" | "renew";

/** Hooks for metrics, e.g. a `tollgate_limiter_degraded_total{operation,mode}` counter. */
export interface LimiterMetrics {
  /** Every operation that could not reach Redis. */
  degraded?(operation: LimiterOperation, failMode: FailMode): void;
  /** The first success after a failure. */
  recovered?(): void;
}

export const OUTAGE_LOG_INTERVAL_MS = 60_000;

/**
 * Tracks whether Redis is reachable, as seen by the operations themselves (no probe). Calls the
 * metric hook on every failure, logs at most once a minute while Redis stays away (with how
 * many failures went unlogged), and logs the recovery once.
 */
export class OutageReporter {
  private down = false;
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;
  /** Whether this outage's start was logged; only then is its end. */
  private announced = false;

  constructor(
    public failMode: FailMode,
    private readonly clock: () => number,
    private readonly logger?: LimiterLogger,
    private readonly metrics?: LimiterMetrics,
  ) {}

  get degraded(): boolean {
    return this.down;
  }

  failure(operation: LimiterOperation, error: unknown): void {
    if (!this.down) this.announced = false;
    this.down = true;
    this.metrics?.degraded?.(operation, this.failMode);
    const now = this.clock();
    if (now - this.lastLogAt < OUTAGE_LOG_INTERVAL_MS) {
      this.unlogged++;
      return;
    }
    this.lastLogAt = now;
    this.announced = true;
    const suppressed = this.unlogged;
    this.unlogged = 0;
    this.logger?.warn(
      {
        err: error instanceof Error ? error.message : String(error),
        operation,
        failMode: this.failMode,
        suppressed,
      },
      this.failMode === "open"
        ? "Redis is unreachable: limits are not enforced (fail open) until it is back"
        : "Redis is unreachable: requests are refused with 503 (fail closed) until it is back",
    );
  }

  success(): void {
    if (!this.down) return;
    this.down = false;
    this.metrics?.recovered?.();
    // A flapping Redis still produces at most a warning and a recovery line a minute.
    if (this.announced) this.logger?.info({}, "Redis is reachable again: limits are enforced");
  }
}
