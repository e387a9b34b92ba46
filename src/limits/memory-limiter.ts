import { randomBytes } from "node:crypto";
import { admitted, refused } from "./decision.js";
import { type HeldSlot, LeaseKeeper } from "./lease-keeper.js";
import type {
  Admission,
  AdmissionRequest,
  Limiter,
  LimiterSettings,
  LimitsSnapshot,
  ReadRequest,
  Usage,
} from "./limiter.js";
import {
  buildPlan,
  type Counts,
  DEFAULT_LEASE_MS,
  failures,
  type Plan,
  PlanKeys,
  toMicroUsd,
} from "./plan.js";
import { isUnlimited } from "./policy.js";
import { snapshot } from "./snapshot.js";
import { type Ticket, ticketFor, unlimitedTicket } from "./ticket.js";

export interface MemoryLimiterOptions {
  /** Clock in epoch milliseconds (tests inject one). */
  now?: () => number;
  /** How long a slot survives without renewal (default 30 s). */
  leaseMs?: number;
  /** Renew the leases of slots in flight (default true; tests turn it off to play a crash). */
  renewLeases?: boolean;
  /** How often expired windows are dropped (default 60 s). */
  sweepIntervalMs?: number;
}

interface Counter {
  value: number;
  expiresAt: number;
}

/**
 * The slots of one concurrency key: member → lease deadline. `earliest` is a lower bound of the
 * deadlines (renewals only move them later), so counting needs no scan until it has passed:
 * with thousands of streams in flight for one actor, a scan per admission would be the hot path.
 */
class SlotSet {
  readonly members = new Map<string, number>();
  earliest = Number.POSITIVE_INFINITY;

  add(member: string, deadline: number): void {
    this.members.set(member, deadline);
    if (deadline < this.earliest) this.earliest = deadline;
  }

  /** Live slots at `now`, dropping expired ones. */
  count(now: number): number {
    if (now >= this.earliest) {
      let earliest = Number.POSITIVE_INFINITY;
      for (const [member, deadline] of this.members) {
        if (deadline <= now) this.members.delete(member);
        else if (deadline < earliest) earliest = deadline;
      }
      this.earliest = earliest;
    }
    return this.members.size;
  }
}

/**
 * Limits of a single replica, with the same semantics as the Redis limiter (same plan, same
 * refusal rule, same leases) so one conformance suite covers both.
 */
export class MemoryLimiter implements Limiter {
  private readonly clock: () => number;
  private leaseMs: number;
  private readonly counters = new Map<string, Counter>();
  /** Slot key → member → lease deadline. */
  private readonly slots = new Map<string, SlotSet>();
  private readonly keeper: LeaseKeeper;
  private readonly sweeper: NodeJS.Timeout;
  private readonly instance = randomBytes(6).toString("base64url");
  private readonly keys = new PlanKeys("");
  private sequence = 0;

  constructor(options: MemoryLimiterOptions = {}) {
    this.clock = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.keeper = new LeaseKeeper(this.leaseMs, async (held) => this.renew(held));
    if (options.renewLeases !== false) this.keeper.start();
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  admit(request: AdmissionRequest): Admission {
    const now = request.now ?? this.clock();
    const { subject, feature, policy } = request;
    if (isUnlimited(policy))
      return { admitted: true, ticket: unlimitedTicket(subject, feature), state: { now } };
    const plan = buildPlan(this.keys, subject, feature, policy, request.estimate, this.leaseMs, now);
    const counts = this.counts(plan, now);
    const mask = failures(plan, counts);
    if (mask !== 0) return refused(plan, counts, mask, feature);

    if (plan.requests) this.add(plan.requests.key, 1, plan.requests.ttlMs, now);
    if (plan.tokens) this.add(plan.tokens.key, plan.tokens.estimate, plan.tokens.ttlMs, now);
    if (plan.budget) this.add(plan.budget.key, plan.budget.estimateMicro, plan.budget.ttlMs, now);
    let member: string | undefined;
    if (plan.concurrency) {
      member = `${this.instance}:${++this.sequence}`;
      let held = this.slots.get(plan.concurrency.key);
      if (!held) {
        held = new SlotSet();
        this.slots.set(plan.concurrency.key, held);
      }
      held.add(member, now + this.leaseMs);
    }
    const ticket = ticketFor(subject, feature, plan, member);
    this.keeper.hold(ticket);
    return admitted(plan, counts, ticket);
  }

  async settle(ticket: Ticket, actual: Usage): Promise<void> {
    if (!ticket.finish()) return;
    this.finish(
      ticket,
      Math.max(0, Math.ceil(actual.tokens)) - ticket.reservedTokens,
      toMicroUsd(actual.costUsd) - ticket.reservedMicroUsd,
    );
  }

  async release(ticket: Ticket): Promise<void> {
    if (!ticket.finish()) return;
    this.finish(ticket, -ticket.reservedTokens, -ticket.reservedMicroUsd);
  }

  async read(request: ReadRequest): Promise<LimitsSnapshot> {
    const now = request.now ?? this.clock();
    const plan = buildPlan(
      this.keys,
      request.subject,
      request.feature,
      request.policy,
      undefined,
      this.leaseMs,
      now,
    );
    return snapshot(plan, this.counts(plan, now));
  }

  /** Without Redis there is no outage to fail open or closed on: only the lease applies. */
  reconfigure(settings: LimiterSettings): void {
    this.leaseMs = settings.leaseMs;
    this.keeper.setLease(settings.leaseMs);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.keeper.stop();
  }

  /** Drops expired windows and leases; runs on a timer so memory stays bounded. */
  sweep(now = this.clock()): void {
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    for (const [key, held] of this.slots) if (held.count(now) === 0) this.slots.delete(key);
  }

  /** Live entries (tests check that sweeping bounds memory). */
  get size(): number {
    return this.counters.size + this.slots.size;
  }

  private counts(plan: Plan, now: number): Counts {
    return {
      requests: plan.requests ? this.value(plan.requests.key, now) : 0,
      tokens: plan.tokens ? this.value(plan.tokens.key, now) : 0,
      inUse: plan.concurrency ? this.inUse(plan.concurrency.key, now) : 0,
      spentMicro: plan.budget ? this.value(plan.budget.key, now) : 0,
    };
  }

  private value(key: string, now: number): number {
    const counter = this.counters.get(key);
    if (!counter) return 0;
    if (counter.expiresAt <= now) {
      this.counters.delete(key);
      return 0;
    }
    return counter.value;
  }

  private add(key: string, amount: number, ttlMs: number, now: number): void {
    const counter = this.counters.get(key);
    if (counter && counter.expiresAt > now) {
      counter.value += amount;
      counter.expiresAt = now + ttlMs;
    } else this.counters.set(key, { value: amount, expiresAt: now + ttlMs });
  }

  private inUse(key: string, now: number): number {
    return this.slots.get(key)?.count(now) ?? 0;
  }

  /** Corrections go to the reservation's own window, and only while it still exists. */
  private finish(ticket: Ticket, tokenDelta: number, microDelta: number): void {
    this.keeper.drop(ticket);
    const now = this.clock();
    if (ticket.tokensKey && tokenDelta !== 0) this.adjust(ticket.tokensKey, tokenDelta, now);
    if (ticket.budgetKey && microDelta !== 0) this.adjust(ticket.budgetKey, microDelta, now);
    if (ticket.slotKey && ticket.slotMember) {
      const held = this.slots.get(ticket.slotKey);
      held?.members.delete(ticket.slotMember);
      if (held?.members.size === 0) this.slots.delete(ticket.slotKey);
    }
  }

  private adjust(key: string, delta: number, now: number): void {
    const counter = this.counters.get(key);
    if (counter && counter.expiresAt > now) counter.value = Math.max(0, counter.value + delta);
  }

  private async renew(held: HeldSlot[]): Promise<void> {
    const deadline = this.clock() + this.leaseMs;
    for (const { key, member } of held) {
      const slots = this.slots.get(key)?.members;
      if (slots?.has(member)) slots.set(member, deadline);
    }
  }
}
