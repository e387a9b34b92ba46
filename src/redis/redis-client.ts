import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { RedisTarget } from "./redis-url.js";

/** One Redis server, a Sentinel-managed master, or a Redis Cluster: the same commands for the gateway's uses. */
export type RedisClient = Redis | Cluster;

/**
 * A client for the target with the caller's options (timeouts, no offline queue…). For a Cluster the options
 * apply to each node's connection and the offline queue and retry pacing to the cluster as a whole; every
 * multi-key command the gateway sends keeps its keys in one hash slot (`{subject}` tags), as a Cluster requires.
 */
export function createRedisClient(target: RedisTarget, options: RedisOptions): RedisClient {
  if (target.kind === "single") return new Redis(target.url, options);
  const credentials = {
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
  };
  if (target.kind === "cluster") {
    const { enableOfflineQueue, retryStrategy, lazyConnect, enableAutoPipelining, ...nodeOptions } = options;
    return new Cluster(target.nodes, {
      redisOptions: { ...nodeOptions, ...credentials, ...(target.tls ? { tls: {} } : {}) },
      // With TLS the nodes are reached by the names they were given: a certificate names a host, not an IP.
      ...(target.tls
        ? {
            dnsLookup: (address: string, callback: (error: null, address: string) => void) =>
              callback(null, address),
          }
        : {}),
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
      ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
      ...(lazyConnect === undefined ? {} : { lazyConnect }),
      ...(retryStrategy
        ? { clusterRetryStrategy: (attempts: number) => retryStrategy(attempts) ?? null }
        : {}),
      // Writes and Lua scripts go to masters; nothing reads from replicas (counts must be exact).
      scaleReads: "master",
    });
  }
  return new Redis({
    ...options,
    ...credentials,
    sentinels: target.sentinels,
    name: target.masterName,
    ...(target.db === undefined ? {} : { db: target.db }),
    ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
    // `rediss+sentinel://`: TLS to the Sentinels as well as to the master they name.
    ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
  });
}

/**
 * A dedicated connection of the same kind (a subscriber cannot send other commands). `duplicate` on a Cluster
 * keeps its startup nodes and options.
 */
export function duplicateClient(client: RedisClient, overrides: RedisOptions = {}): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate(overrides);
}
