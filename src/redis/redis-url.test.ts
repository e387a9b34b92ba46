import { describe, expect, it } from "vitest";
import { parseRedisUrl } from "./redis-url.js";

describe("redis.url", () => {
  it("one server: the URL as written", () => {
    expect(parseRedisUrl("redis://:pw@cache:6380/2")).toEqual({
      ok: true,
      target: { kind: "single", url: "redis://:pw@cache:6380/2" },
    });
    expect(parseRedisUrl("rediss://cache.example.com").ok).toBe(true);
  });

  it("a Cluster from a list of nodes, with credentials and TLS", () => {
    expect(parseRedisUrl("rediss+cluster://app:p%40ss@a:7000,b:7001,[::1]:7002")).toEqual({
      ok: true,
      target: {
        kind: "cluster",
        nodes: [
          { host: "a", port: 7000 },
          { host: "b", port: 7001 },
          { host: "::1", port: 7002 },
        ],
        tls: true,
        username: "app",
        password: "p@ss",
      },
    });
    expect(parseRedisUrl("redis+cluster://a,b")).toMatchObject({
      target: { nodes: [{ port: 6379 }, { port: 6379 }], tls: false },
    });
  });

  it("a Sentinel set with its master's name, database and the Sentinels' own password", () => {
    expect(parseRedisUrl("redis+sentinel://:pw@s1:26379,s2/main?db=3&sentinel_password=spw")).toEqual({
      ok: true,
      target: {
        kind: "sentinel",
        sentinels: [
          { host: "s1", port: 26379 },
          { host: "s2", port: 26379 },
        ],
        masterName: "main",
        tls: false,
        db: 3,
        password: "pw",
        sentinelPassword: "spw",
      },
    });
  });

  it("an `@` in the query is not taken for the end of the credentials", () => {
    expect(parseRedisUrl("redis+sentinel://s1/main?sentinel_password=a@b")).toMatchObject({
      ok: true,
      target: { sentinels: [{ host: "s1" }], sentinelPassword: "a@b" },
    });
  });

  it("refuses what cannot work, saying why and never quoting the password", () => {
    const cases: [string, string][] = [
      ["http://cache:6379", "expected `redis://host:6379`"],
      ["redis+cluster://", "is not host:port"],
      ["redis+cluster://a:99999", "port must be from 1 to 65535"],
      ["redis+cluster://a:7000/0", "takes no database"],
      ["redis+sentinel://:secretpw@s1:26379", "names its master"],
      ["redis+sentinel://s1/main?db=99", "`db` must be"],
      ["redis+sentinel://s1/main?timeout=1", "unknown Sentinel URL option `timeout`"],
      ["redis+sentinel://s1/main?db=", "`db` must be"],
    ];
    for (const [url, message] of cases) {
      const result = parseRedisUrl(url);
      expect(result.ok, url).toBe(false);
      if (!result.ok) {
        expect(result.message).toContain(message);
        expect(result.message).not.toContain("secretpw");
      }
    }
  });
});
