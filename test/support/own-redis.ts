import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

/**
 * A redis-server of the test's own on a fixed port, stopped and started to play an outage. With `persist` it
 * keeps an append-only file fsynced on every write, as a production Redis that holds limits should: the counts
 * survive the restart (the chaos run checks admissions against limits across it); without, a restart forgets.
 */
export class OwnRedis {
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  readonly port: number;
  readonly persist: boolean;

  constructor(port: number, options: { persist?: boolean } = {}) {
    this.port = port;
    this.persist = options.persist ?? false;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), "tollgate-test-redis-"));
    const args = ["--port", String(this.port), "--dir", this.dir, "--save", ""];
    const persistence = this.persist
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"];
    this.child = spawn("redis-server", [...args, ...persistence], { stdio: "ignore" });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on("error", () => {});
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(50);
      } finally {
        probe.disconnect();
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
    // Let clients see the closed connection.
    await sleep(100);
  }

  async remove(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
