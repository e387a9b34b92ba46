import { Cluster, type Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createRedisClient, type RedisClient } from "./redis-client.js";
import { redisTarget } from "./redis-url.js";

const opened: RedisClient[] = [];
const client = (url: string) => {
  const made = createRedisClient(redisTarget(url), { lazyConnect: true, enableAutoPipelining: true });
  opened.push(made);
  return made;
};

afterEach(() => {
  for (const made of opened.splice(0)) made.disconnect();
});

describe("Redis clients by topology (options only: nothing connects)", () => {
  it("a TLS Cluster keeps node names for the certificate check, and pipelines automatically", () => {
    const cluster = client("rediss+cluster://cache-1.example.com:7000,cache-2.example.com:7000") as Cluster;
    expect(cluster).toBeInstanceOf(Cluster);
    const lookup = cluster.options.dnsLookup;
    expect(lookup).toBeTypeOf("function");
    let resolved = "";
    lookup?.("cache-1.example.com", (_error, address) => {
      resolved = address;
    });
    expect(resolved).toBe("cache-1.example.com");
    expect(cluster.options.enableAutoPipelining).toBe(true);
    expect(cluster.options.redisOptions?.tls).toEqual({});
  });

  it("a TLS Sentinel set speaks TLS to the Sentinels and to the master", () => {
    const sentinel = client("rediss+sentinel://:pw@s1:26379,s2:26379/main?sentinel_password=a@b") as Redis;
    expect(sentinel.options).toMatchObject({
      name: "main",
      password: "pw",
      sentinelPassword: "a@b",
      enableTLSForSentinelMode: true,
      sentinelTLS: {},
      tls: {},
    });
  });
});
