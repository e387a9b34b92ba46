import type { Feature } from "../routing/feature.js";
import type { Plan } from "./plan.js";

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

/** The ticket of an admission made by `plan`; `member` is the slot it took, when it took one. */
export function ticketFor(subject: string, feature: Feature, plan: Plan, member: string | undefined): Ticket {
  return new Ticket(
    subject,
    feature,
    plan.concurrency?.key,
    plan.concurrency ? member : undefined,
    plan.tokens?.key,
    plan.tokens?.estimate ?? 0,
    plan.budget?.key,
    plan.budget?.estimateMicro ?? 0,
    false,
  );
}

/** For requests under no limit at all: nothing was reserved, nothing to give back. */
export function unlimitedTicket(subject: string, feature: Feature, degraded = false): Ticket {
  return new Ticket(subject, feature, undefined, undefined, undefined, 0, undefined, 0, degraded);
}
