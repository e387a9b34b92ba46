/**
 * Writes that may wait a little: they are sent just before the next urgent command (so ioredis's
 * auto-pipelining puts both in one socket write) or after `maxDelayMs` at the latest. Settling a
 * request is such a write: sending it alone cost the gateway a second loopback write per request,
 * about as much CPU as the rest of the request path on a small machine.
 */
export class DeferredWrites {
  private pending: Array<() => Promise<void>> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly maxDelayMs: number) {}

  /** Queues a write; resolves once it has been sent and answered (it must not reject). */
  add(write: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pending.push(() => write().then(resolve));
      this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  /** Sends everything queued, now (in the caller's tick). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    for (const write of batch) {
      const sent = write();
      this.inFlight.add(sent);
      sent.then(() => this.inFlight.delete(sent));
    }
  }

  /** Sends what is queued and waits for every write to be answered (shutdown). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }
}
