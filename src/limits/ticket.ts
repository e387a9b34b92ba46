import type { Feature } from "../routing/feature.js";

/**
 * What `admit` handed out and `settle`/`release` give back: where the reservation was made, so
 * the correction lands in the same window even after it rolled over. Opaque to callers.
 */
export class Ticket {
  /** Set by the first settle or release; later calls do nothing. */
  done = false;

  constructor(
    readonly subject: string,
    readonly feature: Feature,
    readonly slotKey: string | undefined,
    readonly slotMember: string | undefined,
    readonly tokensKey: string | undefined,
    readonly reservedTokens: number,
    readonly budgetKey: string | undefined,
    readonly reservedMicroUsd: number,
    /** Admitted without counting because Redis was unreachable (fail open). */
    readonly degraded: boolean,
  ) {}

  /** Marks the ticket finished; false when it already was. */
  finish(): boolean {
    if (this.done) return false;
    this.done = true;
    return true;
  }
}

/** For requests under no limit at all: nothing was reserved, nothing to give back. */
export function unlimitedTicket(subject: string, feature: Feature, degraded = false): Ticket {
  return new Ticket(subject, feature, undefined, undefined, undefined, 0, undefined, 0, degraded);
}
