import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { RedisContext } from "../../src/auth/sources/source-state.js";

/** Redis for tests (127.0.0.1:6379) under a random key prefix; `cleanup` deletes its keys and disconnects. */
export function testRedis(): RedisContext & { cleanup(): Promise<void> } {
  const client = new Redis(process.env.TOLLGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379", {
    maxRetriesPerRequest: 2,
  });
  const keyPrefix = `tg_test_${randomBytes(6).toString("hex")}:`;
  return {
    client,
    keyPrefix,
    async cleanup() {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 500);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      client.disconnect();
    },
  };
}

/** Polls `check` until it returns true or `deadlineMs` passes; resolves with the elapsed time. */
export async function within(deadlineMs: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > deadlineMs) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
