import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { RedisLimiter, type RedisLimiterOptions } from "../../src/limits/redis-limiter.js";

export const REDIS_URL = "redis://127.0.0.1:6379";

/** A key prefix of its own per test file, so files can run in parallel on one Redis. */
export function testPrefix(): string {
  return `tollgate-test-${randomBytes(5).toString("hex")}:`;
}

export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

/** Opens limiters (each with its own connection, like separate replicas) and cleans up after them. */
export class RedisLimiters {
  readonly prefix = testPrefix();
  private readonly opened: RedisLimiter[] = [];

  constructor(readonly url = REDIS_URL) {}

  async open(options: Omit<RedisLimiterOptions, "url" | "client" | "keyPrefix"> = {}): Promise<RedisLimiter> {
    const limiter = new RedisLimiter({ url: this.url, keyPrefix: this.prefix, ...options });
    this.opened.push(limiter);
    if (!(await limiter.ready(5_000))) throw new Error(`Redis at ${this.url} is not reachable`);
    return limiter;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.opened.map((limiter) => limiter.close()));
    await deleteKeys(REDIS_URL, this.prefix);
  }
}
