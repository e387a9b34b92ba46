/**
 * Where Redis is, from `redis.url`:
 * - `redis://[user:password@]host:port[/db]`, `rediss://…` (TLS): one server;
 * - `redis+cluster://[user:password@]host:port,host:port,…` (`rediss+cluster://` for TLS): a Redis Cluster, from
 *   any of its nodes (the client finds the others);
 * - `redis+sentinel://[user:password@]host:port,host:port,…/<master name>[?db=N&sentinel_password=…]`
 *   (`rediss+sentinel://`): the master that the Sentinels name, followed across failovers.
 * Credentials apply to the data nodes; `sentinel_password` to the Sentinels when they have their own.
 */
export type RedisTarget =
  | { kind: "single"; url: string }
  | { kind: "cluster"; nodes: HostPort[]; tls: boolean; username?: string; password?: string }
  | {
      kind: "sentinel";
      sentinels: HostPort[];
      masterName: string;
      tls: boolean;
      db?: number;
      username?: string;
      password?: string;
      sentinelPassword?: string;
    };

export interface HostPort {
  host: string;
  port: number;
}

export type RedisUrlResult = { ok: true; target: RedisTarget } | { ok: false; message: string };

const SCHEME = /^(rediss?)(\+cluster|\+sentinel)?:\/\/(.*)$/i;

/** Parsed by hand: a list of hosts is no URL `new URL` accepts. Messages never quote the password. */
export function parseRedisUrl(text: string): RedisUrlResult {
  const match = SCHEME.exec(text);
  if (!match) {
    return {
      ok: false,
      message:
        "expected `redis://host:6379`, `rediss://…`, `redis+cluster://host:port,host:port` or `redis+sentinel://host:26379,…/<master name>`",
    };
  }
  const [, base, topology, rest] = match as unknown as [string, string, string | undefined, string];
  const tls = base.toLowerCase() === "rediss";
  if (!topology) return { ok: true, target: { kind: "single", url: text } };

  // The password may hold `@` (the host list starts after the last one before the query); the query may too.
  const [beforeQuery = "", query = ""] = splitOnce(rest, "?");
  const at = beforeQuery.lastIndexOf("@");
  const userinfo = at === -1 ? "" : beforeQuery.slice(0, at);
  const hostAndPath = at === -1 ? beforeQuery : beforeQuery.slice(at + 1);
  const [hostList = "", path = ""] = splitOnce(hostAndPath, "/");
  const hosts = parseHosts(hostList, topology === "+sentinel" ? 26379 : 6379);
  if (typeof hosts === "string") return { ok: false, message: hosts };
  const credentials = parseUserinfo(userinfo);
  const params = new URLSearchParams(query);

  if (topology.toLowerCase() === "+cluster") {
    if (path !== "" || query !== "") {
      return {
        ok: false,
        message: "a Redis Cluster URL takes no database or options: only host:port,host:port",
      };
    }
    return { ok: true, target: { kind: "cluster", nodes: hosts, tls, ...credentials } };
  }
  const masterName = decodeURIComponent(path);
  if (masterName === "" || masterName.includes("/")) {
    return {
      ok: false,
      message: "a Sentinel URL names its master after the hosts: `redis+sentinel://host:26379/mymaster`",
    };
  }
  const unknown = [...params.keys()].find((name) => name !== "db" && name !== "sentinel_password");
  if (unknown !== undefined) {
    return {
      ok: false,
      message: `unknown Sentinel URL option \`${unknown}\` (known: db, sentinel_password)`,
    };
  }
  const dbText = params.get("db");
  const db = dbText === null ? undefined : Number(dbText);
  if (db !== undefined && !(dbText !== "" && Number.isInteger(db) && db >= 0 && db <= 15)) {
    return { ok: false, message: "`db` must be a database number from 0 to 15" };
  }
  const sentinelPassword = params.get("sentinel_password") ?? undefined;
  return {
    ok: true,
    target: {
      kind: "sentinel",
      sentinels: hosts,
      masterName,
      tls,
      ...(db === undefined ? {} : { db }),
      ...credentials,
      ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
    },
  };
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, ""] : [text.slice(0, index), text.slice(index + 1)];
}

function parseHosts(list: string, defaultPort: number): HostPort[] | string {
  const hosts: HostPort[] = [];
  for (const entry of list.split(",")) {
    // `[::1]:7000` or `host:7000` or `host`.
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/i.exec(entry.trim());
    if (!match) return `\`${entry}\` is not host:port`;
    const port = match[2] === undefined ? defaultPort : Number(match[2]);
    if (port < 1 || port > 65535) return `\`${entry}\`: the port must be from 1 to 65535`;
    hosts.push({ host: match[1]!.replace(/^\[|\]$/g, ""), port });
  }
  return hosts.length > 0 && list !== "" ? hosts : "name at least one host:port";
}

function parseUserinfo(userinfo: string): { username?: string; password?: string } {
  if (userinfo === "") return {};
  const [user, password] = splitOnce(userinfo, ":");
  const decoded = { username: decodeURIComponent(user), password: decodeURIComponent(password) };
  return {
    ...(decoded.username ? { username: decoded.username } : {}),
    ...(userinfo.includes(":") ? { password: decoded.password } : {}),
  };
}

/** The target of a URL the config already checked; throws (without the URL) when it does not parse. */
export function redisTarget(url: string): RedisTarget {
  const parsed = parseRedisUrl(url);
  if (!parsed.ok) throw new Error(`redis.url: ${parsed.message}`);
  return parsed.target;
}
