import { type ChangeMessage, publishChange } from "../auth/change-bus.js";
import type { TollgateConfig } from "../config/index.js";
import { redisTarget } from "../redis/redis-url.js";
import type { CommandIO } from "./io.js";

/**
 * With Redis configured, running gateways apply a change at once (a disabled or deleted actor's tokens are
 * dropped before their next request); without it, or when Redis is down, their poll of the store's revision,
 * which AccessAdmin bumped, finds the change within a second.
 */
export async function announceChange(
  config: TollgateConfig,
  message: ChangeMessage,
  io: CommandIO,
  /** The command, for its message when Redis is away (`tollgate tokens`). */
  command: string,
): Promise<void> {
  const redisConfig = config.redis;
  if (!redisConfig) return;
  const { createRedisClient } = await import("../redis/redis-client.js");
  const client = createRedisClient(redisTarget(redisConfig.url.reveal()), {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    enableOfflineQueue: false,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await publishChange({ client, keyPrefix: redisConfig.keyPrefix }, message);
  } catch {
    io.stderr(`${command}: Redis is unreachable; running gateways notice the change within a second\n`);
  } finally {
    client.disconnect();
  }
}
