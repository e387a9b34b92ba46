export interface RestartPolicy {
  /** The delay before the first re-fork, doubled after each exit up to `maxDelayMs` (100 ms to 10 s). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** An exit of a worker that had listened this long starts the delays over (30 s). */
  stableAfterMs: number;
  /** Workers in a row that exit before they listen: their start cannot succeed, and the pool gives up (10). */
  maxFailedStarts: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  stableAfterMs: 30_000,
  maxFailedStarts: 10,
};

/**
 * When to replace a worker that exited unexpectedly: after a delay that grows while workers keep exiting, so
 * that a crash loop does not fork as fast as it can, and without a budget that a few unrelated deaths would
 * use up. Only a start that keeps failing (every replacement exits before it listens) is given up on.
 */
export class RestartBackoff {
  private delayMs: number;
  private failedStarts = 0;

  constructor(private readonly policy: RestartPolicy) {
    this.delayMs = policy.initialDelayMs;
  }

  /** A worker listens: starts do succeed. */
  listened(): void {
    this.failedStarts = 0;
  }

  /**
   * A worker exited unexpectedly, having listened for `listenedForMs` (undefined: it never listened). The delay
   * before its replacement, or undefined when the pool should give up.
   */
  next(listenedForMs: number | undefined): number | undefined {
    if (listenedForMs === undefined) {
      this.failedStarts++;
      if (this.failedStarts >= this.policy.maxFailedStarts) return undefined;
    } else if (listenedForMs >= this.policy.stableAfterMs) {
      this.delayMs = this.policy.initialDelayMs;
    }
    const delayMs = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.policy.maxDelayMs);
    return delayMs;
  }

  /** Starts that failed in a row. */
  get failedInARow(): number {
    return this.failedStarts;
  }
}
