import type { Redis } from "ioredis";
import type { Logger } from "pino";
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
 * Listens on the channel with a dedicated connection (a subscribed connection can do nothing else).
 * `ready` settles once subscribed (or failed: the revision poll covers the gap), so a caller can wait
 * for it with a bound and a Redis outage at start does not hold the gateway up.
 */
export function subscribeChanges(
  redis: RedisContext,
  onMessage: (message: ChangeMessage) => void,
  logger?: Pick<Logger, "warn">,
): { ready: Promise<void>; close: () => Promise<void> } {
  const subscriber: Redis = redis.client.duplicate();
  subscriber.on("error", (error: unknown) => logger?.warn({ err: error }, "Redis change subscription error"));
  const channel = changeChannel(redis.keyPrefix);
  subscriber.on("message", (from: string, text: string) => {
    if (from !== channel) return;
    try {
      onMessage(JSON.parse(text) as ChangeMessage);
    } catch (error) {
      logger?.warn({ err: error }, "ignored a malformed change message");
    }
  });
  const ready = subscriber.subscribe(channel).then(
    () => undefined,
    (error: unknown) => logger?.warn({ err: error }, "cannot subscribe to token changes; polling only"),
  );
  return {
    ready,
    close: async () => {
      await Promise.race([ready, delay(1_000)]);
      subscriber.disconnect();
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
