/** Settlements held for Redis at most; past it the oldest slots free themselves when their lease ends. */
const MAX_UNSENT = 10_000;

/**
 * Settlements (a slot freed, a reservation corrected) that could not be sent because Redis was away, sent
 * once it is back: without them, every slot whose request ended during an outage stayed held until its lease
 * ran out. Only settlements that never left this process are kept: one that was sent and lost its answer
 * may have run, and running it twice would correct a reservation twice.
 */
export class UnsentSettlements {
  private readonly waiting: (() => Promise<void>)[] = [];

  /** Keeps `send` for the next `replay`; false when the bound is reached (the settlement is given up). */
  hold(send: () => Promise<void>): boolean {
    if (this.waiting.length >= MAX_UNSENT) return false;
    this.waiting.push(send);
    return true;
  }

  get size(): number {
    return this.waiting.length;
  }

  /** Sends every held settlement; `failed` sees each that fails again (it is then given up). */
  async replay(failed: (error: unknown) => void): Promise<void> {
    const batch = this.waiting.splice(0);
    await Promise.all(batch.map((send) => send().catch(failed)));
  }
}
