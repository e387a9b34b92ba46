import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "./ports.js";

/**
 * Redis topologies a test starts for itself with the machine's `redis-server`: a three-node Redis Cluster (no
 * replicas) and a master watched by one Sentinel. Nothing is kept on disk; `stop` ends every process.
 */

const run = promisify(execFile);

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function answer(port: number, ...command: string[]): Promise<string> {
  const probe = new Redis({
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return String(await probe.call(command[0]!, ...command.slice(1)));
  } finally {
    probe.disconnect();
  }
}

class Processes {
  private readonly children: ChildProcess[] = [];
  dir = "";

  async init(prefix: string): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), prefix));
  }

  start(args: string[]): void {
    this.children.push(spawn("redis-server", args, { stdio: "ignore", cwd: this.dir }));
  }

  async stop(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface RedisTopology {
  /** The `redis.url` that names it. */
  url: string;
  stop(): Promise<void>;
}

export async function startRedisCluster(nodes = 3): Promise<RedisTopology> {
  const processes = new Processes();
  await processes.init("tollgate-test-cluster-");
  const ports: number[] = [];
  for (let index = 0; index < nodes; index++) {
    const port = await freePort();
    // The cluster bus port must be free too: named explicitly instead of port + 10000.
    const busPort = await freePort();
    ports.push(port);
    processes.start([
      "--port",
      String(port),
      "--cluster-enabled",
      "yes",
      "--cluster-port",
      String(busPort),
      "--cluster-config-file",
      `nodes-${port}.conf`,
      "--cluster-node-timeout",
      "2000",
      "--save",
      "",
      "--appendonly",
      "no",
      "--bind",
      "127.0.0.1",
    ]);
  }
  try {
    for (const port of ports)
      await waitFor(async () => (await answer(port, "PING")) === "PONG", `node ${port}`);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const port of ports) {
      await waitFor(
        async () => (await answer(port, "CLUSTER", "INFO")).includes("cluster_state:ok"),
        `cluster state ok on ${port}`,
      );
    }
  } catch (error) {
    await processes.stop();
    throw error;
  }
  return {
    url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(",")}`,
    stop: () => processes.stop(),
  };
}

export async function startRedisSentinel(masterName = "tollgate"): Promise<RedisTopology> {
  const processes = new Processes();
  await processes.init("tollgate-test-sentinel-");
  const masterPort = await freePort();
  const sentinelPort = await freePort();
  processes.start(["--port", String(masterPort), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]);
  // A Sentinel rewrites its config file: it needs one of its own, writable.
  const conf = join(processes.dir, "sentinel.conf");
  await writeFile(
    conf,
    [
      `port ${sentinelPort}`,
      "bind 127.0.0.1",
      `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${masterName} 2000`,
      "",
    ].join("\n"),
  );
  processes.start([conf, "--sentinel"]);
  try {
    await waitFor(async () => (await answer(masterPort, "PING")) === "PONG", "the master");
    await waitFor(
      async () =>
        (await answer(sentinelPort, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)).includes(
          String(masterPort),
        ),
      "the sentinel",
    );
  } catch (error) {
    await processes.stop();
    throw error;
  }
  return { url: `redis+sentinel://127.0.0.1:${sentinelPort}/${masterName}`, stop: () => processes.stop() };
}
