import type { Actor } from "../auth/actor.js";
import type { FeatureLimits } from "../config/index.js";
import type { NotificationsConfig } from "../config/schema/tollgate.js";
import type { Limiter } from "../limits/index.js";
import type { RequestOutcome } from "../proxy/outcome.js";
import type { RedisClient } from "../redis/redis-client.js";
import type { Logger } from "../telemetry/logger.js";
import { MemoryClaims, RedisClaims } from "./claims.js";
import { QuotaWatcher } from "./quota-watcher.js";
import { type DeadLetter, WebhookDelivery } from "./webhook-delivery.js";

export interface NotifierOptions {
  limiter: Limiter;
  /** Claims shared by every replica; without it, this process's own (one replica). */
  redis?: { client: RedisClient; keyPrefix: string } | undefined;
  /** `usage.notifications` of the running config (it changes on reload). */
  settings: () => NotificationsConfig;
  findActor: (id: string) => Promise<Actor | undefined>;
  defaults: () => FeatureLimits | undefined;
  timeZone: () => string;
  logger: Logger;
  /** Overrides the one-read-per-actor-per-second coalescing (tests). */
  intervalMs?: number;
}

export interface Notifier {
  /** The request's end: never blocks, never throws. */
  observe(outcome: RequestOutcome): void;
  deadLetters(): readonly DeadLetter[];
  /** Deliveries waiting for a try or in one. */
  pending(): number;
  close(): Promise<void>;
}

/** Quota notifications (README "Quota notifications"): the watcher finds passes, the delivery posts them. */
export function createNotifier(options: NotifierOptions): Notifier {
  const delivery = new WebhookDelivery({ settings: options.settings, logger: options.logger });
  const watcher = new QuotaWatcher({
    limiter: options.limiter,
    claims: options.redis
      ? new RedisClaims(options.redis.client, options.redis.keyPrefix)
      : new MemoryClaims(),
    notify: (event) => delivery.send(event),
    findActor: options.findActor,
    defaults: options.defaults,
    timeZone: options.timeZone,
    thresholds: () => options.settings().thresholds,
    logger: options.logger,
    ...(options.intervalMs !== undefined && { intervalMs: options.intervalMs }),
  });
  return {
    observe(outcome) {
      // Without a webhook there is no one to tell: no counter is read at all.
      if (options.settings().webhooks.length > 0) watcher.observe(outcome);
    },
    deadLetters: () => delivery.deadLetters(),
    pending: () => delivery.pending(),
    async close() {
      watcher.close();
      await delivery.close();
    },
  };
}
