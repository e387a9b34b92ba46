/** The slice of pino's Logger a throttled warning needs. */
export interface WarningLogger {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

/**
 * A warning for a condition retried often (a poll, a reconnect): logged when it starts, then at
 * most once per interval while it lasts, and its end once.
 */
export class ThrottledWarning {
  private failing = false;
  private lastWarnedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: WarningLogger | undefined,
    private readonly messages: { failing: string; recovered: string },
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  failure(error: unknown): void {
    this.failing = true;
    const now = this.now();
    if (now - this.lastWarnedAt < this.intervalMs) return;
    this.lastWarnedAt = now;
    this.logger?.warn({ err: error }, this.messages.failing);
  }

  success(): void {
    if (!this.failing) return;
    this.failing = false;
    this.lastWarnedAt = Number.NEGATIVE_INFINITY;
    this.logger?.info({}, this.messages.recovered);
  }
}
