import { randomBytes } from "node:crypto";
import { Cluster, type RedisOptions } from "ioredis";
import { createRedisClient, type RedisClient } from "../redis/redis-client.js";
import { redisTarget } from "../redis/redis-url.js";
import { admitted, degradedState, refused, unavailable } from "./decision.js";
import { DeferredWrites } from "./deferred-writes.js";
import { type HeldSlot, LeaseKeeper } from "./lease-keeper.js";
import {
  type Admission,
  type AdmissionRequest,
  type Limiter,
  type LimiterSettings,
  LimiterUnavailableError,
  type LimitsSnapshot,
  type ReadRequest,
  type Usage,
} from "./limiter.js";
import { type FailMode, type LimiterLogger, type LimiterMetrics, OutageReporter } from "./outage.js";
import {
  buildPlan,
  type Counts,
  DEFAULT_LEASE_MS,
  type Plan,
  PlanKeys,
  subjectPrefix,
  toMicroUsd,
} from "./plan.js";
import { isUnlimited } from "./policy.js";
import { admitScript, readScript, settleScript } from "./redis-scripts.js";
import { snapshot } from "./snapshot.js";
import { type Ticket, ticketFor, unlimitedTicket } from "./ticket.js";
import { UnsentSettlements } from "./unsent-settlements.js";

export interface RedisLimiterOptions {
  /** A client to use (not closed by `close`); otherwise one is opened from `url`. */
  client?: RedisClient;
  url?: string;
  /** `redis.keyPrefix` (default `tollgate:`). */
  keyPrefix?: string;
  /** What to do while Redis is unreachable (default `open`: admit uncounted). */
  failMode?: FailMode;
  now?: () => number;
  leaseMs?: number;
  renewLeases?: boolean;
  /** Per-command deadline before Redis counts as unreachable (default 1 s). */
  commandTimeoutMs?: number;
  logger?: LimiterLogger;
  metrics?: LimiterMetrics;
}

/**
 * Client options for the limiter: commands fail at once while disconnected instead of queueing
 * (a request must not wait for Redis to come back), are never replayed after a reconnect (that
 * would count an admission twice), and reconnection goes on forever in the background.
 */
export function limiterRedisOptions(commandTimeoutMs = 1_000): RedisOptions {
  return {
    enableOfflineQueue: false,
    // Commands issued in the same tick (admissions and settlements of concurrent requests) share one
    // write: under load that halves the system calls per request.
    enableAutoPipelining: true,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2_000,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 1_000),
  };
}

const NONE = -1;
/** The longest a settlement waits for an admission to share its write; a slot is freed this much later. */
const SETTLE_DELAY_MS = 5;
const ZERO_COUNTS: Counts = { requests: 0, tokens: 0, inUse: 0, spentMicro: 0 };

/**
 * Limits shared by every replica: one Lua script per admission (one round trip), so N replicas
 * enforce one set of limits exactly. Keys: `<prefix>limits:{<actor>}:<feature>:r|t:<interval>:<window>`,
 * `…:<feature>:c` (slots), `<prefix>limits:{<actor>}:b:<period>:<zone>:<period id>` (budget).
 */
export class RedisLimiter implements Limiter {
  readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly keyPrefix: string;
  private readonly planKeys: PlanKeys;
  private failMode: FailMode;
  private readonly clock: () => number;
  private leaseMs: number;
  private readonly keeper: LeaseKeeper;
  private readonly outage: OutageReporter;
  private readonly instance = randomBytes(6).toString("base64url");
  private sequence = 0;
  /** Settlements ride along with the next admission's write, or go within a few ms. */
  private readonly settlements = new DeferredWrites(SETTLE_DELAY_MS);
  /** Settlements of requests that ended while Redis was away, sent when it is back. */
  private readonly unsent = new UnsentSettlements();
  private readonly onReady = () => void this.unsent.replay((error) => this.outage.failure("settle", error));

  constructor(options: RedisLimiterOptions) {
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else if (options.url) {
      this.client = createRedisClient(
        redisTarget(options.url),
        limiterRedisOptions(options.commandTimeoutMs),
      );
      // Failures are reported through the operations (rate-limited log, metric hook).
      this.client.on("error", () => {});
      this.ownsClient = true;
    } else throw new Error("RedisLimiter needs `client` or `url`");
    this.keyPrefix = options.keyPrefix ?? "tollgate:";
    this.planKeys = new PlanKeys(this.keyPrefix);
    this.failMode = options.failMode ?? "open";
    this.clock = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.outage = new OutageReporter(this.failMode, this.clock, options.logger, options.metrics);
    this.keeper = new LeaseKeeper(this.leaseMs, (held) => this.renew(held));
    if (options.renewLeases !== false) this.keeper.start();
    this.client.on("ready", this.onReady);
  }

  /** Resolves true once connected (at boot), false after `timeoutMs`; requests before that fail open/closed. */
  async ready(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.client.status !== "ready") {
      if (Date.now() >= deadline || this.client.status === "end") return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /** True while the last Redis operation failed (for `/readyz` and dashboards). */
  get degraded(): boolean {
    return this.outage.degraded;
  }

  async admit(request: AdmissionRequest): Promise<Admission> {
    const now = request.now ?? this.clock();
    const { subject, feature, policy } = request;
    if (isUnlimited(policy))
      return { admitted: true, ticket: unlimitedTicket(subject, feature), state: { now } };
    const plan = buildPlan(this.planKeys, subject, feature, policy, request.estimate, this.leaseMs, now);
    const member = plan.concurrency ? `${this.instance}:${++this.sequence}` : "";
    let reply: number[];
    try {
      this.assertConnected();
      // Queued settlements go first, in the same write: the admission then sees the slots they free.
      this.settlements.flush();
      reply = (await admitScript.run(
        this.client,
        this.keys(plan),
        this.admitArguments(plan, member),
      )) as number[];
    } catch (error) {
      this.outage.failure("admit", error);
      if (this.failMode === "closed") return unavailable(plan);
      return { admitted: true, ticket: unlimitedTicket(subject, feature, true), state: degradedState(plan) };
    }
    this.outage.success();
    const counts: Counts = {
      requests: reply[1]!,
      tokens: reply[2]!,
      inUse: reply[3]!,
      spentMicro: reply[4]!,
    };
    const mask = reply[0]!;
    if (mask !== 0) return refused(plan, counts, mask, feature);
    const ticket = ticketFor(subject, feature, plan, member);
    this.keeper.hold(ticket);
    return admitted(plan, counts, ticket);
  }

  async settle(ticket: Ticket, actual: Usage): Promise<void> {
    if (!ticket.finish()) return;
    await this.finish(
      ticket,
      "settle",
      Math.max(0, Math.ceil(actual.tokens)) - ticket.reservedTokens,
      toMicroUsd(actual.costUsd) - ticket.reservedMicroUsd,
    );
  }

  async release(ticket: Ticket): Promise<void> {
    if (!ticket.finish()) return;
    await this.finish(ticket, "release", -ticket.reservedTokens, -ticket.reservedMicroUsd);
  }

  async read(request: ReadRequest): Promise<LimitsSnapshot> {
    const now = request.now ?? this.clock();
    const { subject, feature, policy } = request;
    const plan = buildPlan(this.planKeys, subject, feature, policy, undefined, this.leaseMs, now);
    if (isUnlimited(policy)) return snapshot(plan, ZERO_COUNTS);
    const flag = (present: unknown) => (present ? "1" : "0");
    let reply: number[];
    try {
      this.assertConnected();
      this.settlements.flush();
      reply = (await readScript.run(this.client, this.keys(plan), [
        now,
        flag(plan.requests),
        flag(plan.tokens),
        flag(plan.concurrency),
        flag(plan.budget),
      ])) as number[];
    } catch (error) {
      this.outage.failure("read", error);
      throw new LimiterUnavailableError(error);
    }
    this.outage.success();
    return snapshot(plan, {
      requests: reply[0]!,
      tokens: reply[1]!,
      inUse: reply[2]!,
      spentMicro: reply[3]!,
    });
  }

  reconfigure(settings: LimiterSettings): void {
    this.leaseMs = settings.leaseMs;
    this.keeper.setLease(settings.leaseMs);
    if (settings.failMode) {
      this.failMode = settings.failMode;
      this.outage.failMode = settings.failMode;
    }
  }

  async close(): Promise<void> {
    this.client.off("ready", this.onReady);
    await this.keeper.stop();
    await this.settlements.drain();
    if (this.ownsClient) this.client.disconnect();
  }

  /** Slot ids held by this process (tests, and shutdown diagnostics). */
  get slotsHeld(): number {
    return this.keeper.size;
  }

  /** Without the offline queue ioredis fails fast anyway; this also covers a caller's own client. */
  private assertConnected(): void {
    if (this.client.status !== "ready") throw new Error(`Redis connection is ${this.client.status}`);
  }

  /** Absent dimensions get a placeholder key in the actor's hash slot (Cluster needs declared keys). */
  private keys(plan: Plan): string[] {
    const unused = `${plan.actor}-`;
    return [
      plan.requests?.key ?? unused,
      plan.tokens?.key ?? unused,
      plan.concurrency?.key ?? unused,
      plan.budget?.key ?? unused,
    ];
  }

  private admitArguments(plan: Plan, member: string): (string | number)[] {
    const { now, requests, tokens, concurrency, budget } = plan;
    return [
      now,
      requests?.limit ?? NONE,
      requests?.ttlMs ?? 0,
      tokens?.limit ?? NONE,
      tokens?.estimate ?? 0,
      tokens?.ttlMs ?? 0,
      concurrency?.limit ?? NONE,
      now + this.leaseMs,
      member,
      2 * this.leaseMs,
      budget?.limitMicro ?? NONE,
      budget?.estimateMicro ?? 0,
      budget?.ttlMs ?? 0,
    ];
  }

  private async finish(
    ticket: Ticket,
    operation: "settle" | "release",
    tokenDelta: number,
    microDelta: number,
  ) {
    this.keeper.drop(ticket);
    if (ticket.degraded) return;
    const tokenKey = ticket.tokensKey;
    const budgetKey = ticket.budgetKey;
    const slotKey = ticket.slotKey;
    if (!slotKey && (!tokenKey || tokenDelta === 0) && (!budgetKey || microDelta === 0)) return;
    const unused = `${subjectPrefix(this.keyPrefix, ticket.subject)}-`;
    const keys = [tokenKey ?? unused, budgetKey ?? unused, slotKey ?? unused];
    const args = [tokenKey ? tokenDelta : 0, budgetKey ? microDelta : 0, ticket.slotMember ?? ""];
    await this.settlements.add(async () => {
      if (this.client.status !== "ready") {
        // Never sent: sent when Redis is back (or, past the bound, the slot frees itself when its lease ends).
        // Only this branch needs a closure over the settlement; the common path allocates none.
        this.outage.failure(operation, new Error(`Redis connection is ${this.client.status}`));
        this.unsent.hold(async () => void (await settleScript.run(this.client, keys, args)));
        return;
      }
      try {
        await settleScript.run(this.client, keys, args);
        this.outage.success();
      } catch (error) {
        // Perhaps run, perhaps not: the slot frees itself when its lease ends; the reservation stays counted.
        this.outage.failure(operation, error);
      }
    });
  }

  private async renew(held: HeldSlot[]): Promise<void> {
    if (this.client.status !== "ready") {
      this.outage.failure("renew", new Error(`Redis connection is ${this.client.status}`));
      return;
    }
    const deadline = this.clock() + this.leaseMs;
    // A Cluster runs a pipeline only when its keys are on one node: one pipeline per hash slot ({subject}) there.
    const groups = this.client instanceof Cluster ? groupBySlotTag(held) : [held];
    try {
      await Promise.all(
        groups.map((group) => {
          const pipeline = this.client.pipeline();
          for (const { key, member } of group) {
            // XX: a slot settled meanwhile must not come back.
            pipeline.zadd(key, "XX", deadline, member);
            pipeline.pexpire(key, 2 * this.leaseMs);
          }
          return pipeline.exec();
        }),
      );
      this.outage.success();
    } catch (error) {
      this.outage.failure("renew", error);
    }
  }
}

/** Held slots grouped by the `{…}` hash tag of their keys (one subject's keys share a slot). */
function groupBySlotTag(held: readonly HeldSlot[]): HeldSlot[][] {
  const groups = new Map<string, HeldSlot[]>();
  for (const slot of held) {
    const open = slot.key.indexOf("{");
    const tag = open === -1 ? slot.key : slot.key.slice(open, slot.key.indexOf("}", open) + 1);
    const group = groups.get(tag);
    if (group) group.push(slot);
    else groups.set(tag, [slot]);
  }
  return [...groups.values()];
}
