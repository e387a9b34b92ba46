import type { Actor } from "../auth/actor.js";
import type { FeatureLimits } from "../config/index.js";
import { calendarPeriod, type Limiter, policyFor } from "../limits/index.js";
import type { RequestOutcome } from "../proxy/outcome.js";
import type { Feature } from "../routing/feature.js";
import type { Logger } from "../telemetry/logger.js";
import { ThrottledWarning } from "../telemetry/throttled-warning.js";
import { claimKey, MemoryClaims, type ThresholdClaims } from "./claims.js";
import type { QuotaThresholdEvent } from "./event.js";
import { budgetReading, passedThresholds, type QuotaReading, tokensReading } from "./thresholds.js";
import { newEventId } from "./webhook-delivery.js";

export interface QuotaWatcherOptions {
  limiter: Limiter;
  /** Shared by the replicas (Redis) or this process's own (memory). */
  claims: ThresholdClaims;
  notify: (event: QuotaThresholdEvent) => void;
  findActor: (id: string) => Promise<Actor | undefined>;
  defaults: () => FeatureLimits | undefined;
  timeZone: () => string;
  thresholds: () => readonly number[];
  logger: Pick<Logger, "info" | "warn">;
  /** At most one read of an actor's counters per this interval (default 1 s). */
  intervalMs?: number;
  /** Wait after the first request's end before reading, so its settlement has landed (default 50 ms). */
  settleDelayMs?: number;
  now?: () => number;
}

/** An actor with a read scheduled: the features whose requests ended since its last read. */
interface Watch {
  features: Set<Feature>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Sees every request's end and, off the request path, reads the actor's budget and token counters
 * (coalesced: at most one read per actor per interval, whatever the request rate) to fire a
 * notification for each threshold passed, once per period across the replicas (the claims).
 */
export class QuotaWatcher {
  private readonly watches = new Map<string, Watch>();
  /** Claims this process already knows the answer to: spares a Redis call per read once a threshold fired. */
  private readonly known: MemoryClaims;
  private readonly readWarning: ThrottledWarning;
  private readonly intervalMs: number;
  private readonly settleDelayMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: QuotaWatcherOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.settleDelayMs = options.settleDelayMs ?? 50;
    this.now = options.now ?? Date.now;
    this.known = new MemoryClaims(this.now);
    this.readWarning = new ThrottledWarning(options.logger, {
      failing: "cannot read quota counters for notifications; trying again on the next request",
      recovered: "quota counters for notifications are readable again",
    });
  }

  /** The request's end (the outcome sink): synchronous and cheap, whatever the state of Redis. */
  observe(outcome: RequestOutcome): void {
    const { actorId, feature } = outcome;
    // A request that never reached the provider moved no token or budget counter.
    if (this.closed || actorId === undefined || feature === undefined || !outcome.upstreamSent) return;
    const watch = this.watches.get(actorId);
    if (watch) {
      watch.features.add(feature);
      return;
    }
    const created: Watch = { features: new Set([feature]), timer: undefined };
    this.watches.set(actorId, created);
    this.schedule(actorId, created, this.settleDelayMs);
  }

  close(): void {
    this.closed = true;
    for (const watch of this.watches.values()) clearTimeout(watch.timer);
    this.watches.clear();
  }

  private schedule(actorId: string, watch: Watch, delayMs: number): void {
    watch.timer = setTimeout(() => void this.run(actorId, watch), delayMs);
    watch.timer.unref();
  }

  private async run(actorId: string, watch: Watch): Promise<void> {
    if (watch.features.size === 0) {
      this.watches.delete(actorId);
      return;
    }
    const features = [...watch.features];
    watch.features = new Set();
    const started = this.now();
    try {
      await this.check(actorId, features);
      this.readWarning.success();
    } catch (error) {
      // Dropped, not retried on a timer: the actor's next request asks again.
      this.readWarning.failure(error);
    }
    if (this.closed) return;
    // Requests ending meanwhile join the next read, which waits out the rest of the interval.
    this.schedule(actorId, watch, Math.max(0, started + this.intervalMs - this.now()));
  }

  private async check(actorId: string, features: Feature[]): Promise<void> {
    const actor = await this.options.findActor(actorId);
    if (!actor) return;
    const defaults = this.options.defaults();
    const timeZone = this.options.timeZone();
    const readings: QuotaReading[] = [];
    let budgetRead = false;
    for (const feature of features) {
      const policy = policyFor(actor.limits, actor.budget, defaults, feature, timeZone);
      // The budget is the actor's, the same in every feature's snapshot: read it once.
      const wantsBudget = policy.budget !== undefined && !budgetRead;
      if (!policy.tokens && !wantsBudget) continue;
      const snapshot = await this.options.limiter.read({ subject: actor.id, feature, policy });
      const tokens = policy.tokens && tokensReading(snapshot, feature);
      if (tokens) readings.push(tokens);
      if (wantsBudget && snapshot.budget && policy.budget) {
        budgetRead = true;
        // The period the snapshot counts in: the one ending at its reset.
        const period = calendarPeriod(snapshot.budget.resetAt - 1, policy.budget.period, timeZone);
        const budget = budgetReading(snapshot, period.startMs);
        if (budget) readings.push(budget);
      }
    }
    for (const reading of readings) await this.fire(actor, reading);
  }

  private async fire(actor: Actor, reading: QuotaReading): Promise<void> {
    for (const threshold of passedThresholds(reading.usage, reading.limit, this.options.thresholds())) {
      const key = claimKey(actor.id, reading.quota, reading.feature, reading.startMs, threshold);
      if (this.known.has(key)) continue;
      const won = await this.options.claims.claim(key, reading.endMs);
      await this.known.claim(key, reading.endMs);
      if (!won) continue;
      const event: QuotaThresholdEvent = {
        type: "quota.threshold",
        id: newEventId(),
        actorId: actor.id,
        actorName: actor.name,
        quota: reading.quota,
        ...(reading.feature !== undefined && { feature: reading.feature }),
        threshold,
        usage: reading.quota === "budget" ? Math.round(reading.usage * 1e6) / 1e6 : reading.usage,
        limit: reading.limit,
        period: {
          start: new Date(reading.startMs).toISOString(),
          end: new Date(reading.endMs).toISOString(),
        },
        at: new Date(this.now()).toISOString(),
      };
      this.options.logger.info({ notification: event }, "quota threshold passed");
      this.options.notify(event);
    }
  }
}
