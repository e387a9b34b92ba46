import { duplicateClient } from "../redis/redis-client.js";
import { ThrottledWarning, type WarningLogger } from "../telemetry/throttled-warning.js";
import type { RedisContext } from "./sources/source-state.js";

/** What replicas tell each other about actors and tokens, on a Redis channel. */
export type ChangeMessage =
  /** Tokens that must stop working now (revoked, or their actor deleted or disabled). */
  | { type: "revoked"; hashes: string[] }
  /** Something else changed; reload from the store. */
  | { type: "changed" }
  /** A replica synced an external source and wrote its snapshot to Redis. */
  | { type: "source-synced"; source: string };

export function changeChannel(keyPrefix: string): string {
  return `${keyPrefix}auth:changes`;
}

/** Publishes a change; losing one is harmless (the store's revision poll catches up within a second). */
export async function publishChange(redis: RedisContext, message: ChangeMessage): Promise<void> {
  await redis.client.publish(changeChannel(redis.keyPrefix), JSON.stringify(message));
}

/**
 * Listens on the channel with a dedicated connection (a subscribed connection can do nothing else). It
 * subscribes each time the connection becomes ready, the first time and after every reconnect: the
 * client refuses commands while disconnected (no offline queue), so a subscription sent earlier is lost.
 * `ready` resolves once subscribed; a caller waits for it with a bound, since a Redis outage at start must
 * not hold the gateway up (the store's revision poll covers the gap). An outage is logged when it starts,
 * then once a minute, and its end once.
 */
export function subscribeChanges(
  redis: RedisContext,
  onMessage: (message: ChangeMessage) => void,
  logger?: WarningLogger,
): { ready: Promise<void>; close: () => Promise<void> } {
  const subscriber = duplicateClient(redis.client, { autoResubscribe: false });
  const outage = new ThrottledWarning(logger, {
    failing: "Redis change subscription unavailable; revocations reach this replica through the store's poll",
    recovered: "Redis change subscription restored",
  });
  subscriber.on("error", (error: unknown) => outage.failure(error));
  const channel = changeChannel(redis.keyPrefix);
  subscriber.on("message", (from: string, text: string) => {
    if (from !== channel) return;
    try {
      onMessage(JSON.parse(text) as ChangeMessage);
    } catch (error) {
      logger?.warn({ err: error }, "ignored a malformed change message");
    }
  });
  let subscribed: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    subscribed = resolve;
  });
  const subscribe = () => {
    subscriber.subscribe(channel).then(
      () => {
        outage.success();
        subscribed();
      },
      (error: unknown) => outage.failure(error),
    );
  };
  subscriber.on("ready", subscribe);
  // Connected before the listener was added (a duplicate of a ready client may be fast).
  if (subscriber.status === "ready") subscribe();
  return {
    ready,
    close: async () => {
      subscriber.disconnect();
    },
  };
}
