import type { UsageEventsRepository } from "../store/usage-events.js";
import type { Logger } from "../telemetry/logger.js";

export interface UsageRetentionOptions {
  repository: Pick<UsageEventsRepository, "deleteOlderThan">;
  logger: Logger;
  /** Events older than this are deleted. */
  retentionMs: number;
  /** How often to look (default hourly); the first run is shortly after start. */
  intervalMs?: number;
  /** Rows per DELETE statement. */
  batchSize?: number;
  now?: () => number;
}

const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Deletes usage events past the retention, periodically. Every replica runs it: deleting what is already gone
 * is harmless, and small batches keep concurrent runs from holding long locks. Returns the stop function.
 */
export function startUsageRetention(options: UsageRetentionOptions): {
  run(): Promise<number>;
  stop(): void;
} {
  const now = options.now ?? Date.now;
  let running: Promise<number> | undefined;
  const run = () => {
    running ??= options.repository
      .deleteOlderThan(new Date(now() - options.retentionMs), options.batchSize)
      .then((deleted) => {
        if (deleted > 0) options.logger.info({ deleted }, "old usage events deleted");
        return deleted;
      })
      .catch((error: unknown) => {
        options.logger.warn({ err: error }, "deleting old usage events failed; trying again later");
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const first = setTimeout(() => void run(), FIRST_RUN_DELAY_MS);
  const timer = setInterval(() => void run(), options.intervalMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    run,
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
