import type { Logger } from "pino";
import type { TokensRepository } from "../store/index.js";

/**
 * Records token use off the request path: at most one write per token per `intervalMs`, flushed in
 * the background. `lastUsedAt` is therefore accurate to about a minute, which is what it is for
 * (spotting unused tokens), and costs the request path one map lookup.
 */
export class LastUsedRecorder {
  private readonly written = new Map<string, number>();
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly tokens: TokensRepository,
    private readonly intervalMs = 60_000,
    private readonly logger?: Pick<Logger, "warn">,
    flushEveryMs = 1_000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  record(tokenId: string, now: number): void {
    const last = this.written.get(tokenId);
    if (last !== undefined && now - last < this.intervalMs) return;
    this.written.set(tokenId, now);
    this.pending.set(tokenId, now);
  }

  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = (async () => {
      for (const [tokenId, at] of batch) {
        try {
          await this.tokens.touchLastUsed(tokenId, new Date(at));
        } catch (error) {
          this.logger?.warn({ err: error, tokenId }, "cannot record token use");
        }
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }
}
