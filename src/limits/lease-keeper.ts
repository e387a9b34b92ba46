import type { Ticket } from "./ticket.js";

export interface HeldSlot {
  key: string;
  member: string;
}

/**
 * Keeps this process's concurrency slots alive. A slot is held under a lease (a deadline in a
 * sorted set) so a crashed replica's slots free themselves; this renews the leases of the slots
 * still in flight every lease/3, in one batch, so a long stream keeps its slot.
 */
export class LeaseKeeper {
  private readonly held = new Map<Ticket, HeldSlot>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private leaseMs: number,
    private readonly renew: (slots: HeldSlot[]) => Promise<void>,
  ) {}

  /** A new lease (config reload): renewals run at the new pace from now on. */
  setLease(leaseMs: number): void {
    if (leaseMs === this.leaseMs) return;
    this.leaseMs = leaseMs;
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.start();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renewNow(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  hold(ticket: Ticket): void {
    if (ticket.slotKey && ticket.slotMember) {
      this.held.set(ticket, { key: ticket.slotKey, member: ticket.slotMember });
    }
  }

  drop(ticket: Ticket): void {
    this.held.delete(ticket);
  }

  get size(): number {
    return this.held.size;
  }

  /** One renewal round; a round still running is not overlapped. */
  async renewNow(): Promise<void> {
    if (this.running || this.held.size === 0) return;
    this.running = this.renew([...this.held.values()])
      .catch(() => {
        // The backend reports its own failures; a missed renewal is retried next round.
      })
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }
}
