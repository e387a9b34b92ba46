import cluster from "node:cluster";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { createLogger } from "../telemetry/logger.js";
import { WorkerPool } from "./cluster-pool.js";

/**
 * A stand-in worker, by its first argument: `crash` exits 3 at once; `starting` never gets as far as listening;
 * `serve` announces itself, exits 0 on SIGTERM after a short drain, and reloads (counts) on SIGHUP;
 * `fail-drain` exits 1 on SIGTERM.
 */
const workerScript = `
const mode = process.argv[2];
if (mode === "crash") process.exit(3);
if (mode === "starting") {
  // Still starting: no signal handlers yet, never listens.
  setInterval(() => {}, 1000);
  return;
}
let reloads = 0;
process.on("SIGHUP", () => { reloads++; process.send({ type: "reloaded", reloads }); });
process.on("SIGTERM", () => {
  setTimeout(() => process.exit(mode === "fail-drain" ? 1 : 0), 50);
});
process.send({ type: "tollgate:listening", facts: { pid: process.pid } });
setInterval(() => {}, 1000);
`;

const dir = mkdtempSync(join(tmpdir(), "tollgate-cluster-pool-"));
const script = join(dir, "worker.cjs");
writeFileSync(script, workerScript);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines };
}

function pool(mode: string, options: { size: number; maxRestarts?: number; restartWindowMs?: number }) {
  cluster.setupPrimary({ exec: script, args: [mode], execArgv: [], silent: true });
  const { logger, lines } = capturedLogger();
  const announced: { pid: number }[] = [];
  const workers = new WorkerPool<{ pid: number }>({
    ...options,
    logger,
    onListening: (facts) => announced.push(facts),
  });
  return { workers, lines, announced };
}

const livePids = () => Object.values(cluster.workers ?? {}).map((worker) => worker?.process.pid);

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("WorkerPool (the primary of serve --workers N)", () => {
  test("announces once when every worker listens, replaces a killed one, forwards SIGHUP and drains to 0", async () => {
    const { workers, lines, announced } = pool("serve", { size: 2 });
    workers.start();
    await until(() => announced.length === 1 && livePids().length === 2);
    const [victim, survivor] = livePids();

    const reloads: number[] = [];
    for (const worker of Object.values(cluster.workers ?? {})) {
      worker?.on("message", (message: { type?: string }) => {
        if (message.type === "reloaded") reloads.push(worker.id);
      });
    }
    workers.reload();
    await until(() => reloads.length === 2);

    process.kill(victim!, "SIGKILL");
    await until(() => livePids().length === 2 && !livePids().includes(victim));
    expect(livePids()).toContain(survivor);
    const exited = lines.find((line) => line.msg === "worker exited unexpectedly; starting a replacement");
    expect(exited).toMatchObject({ level: "error", pid: victim, code: null, signal: "SIGKILL" });
    // The replacement's own announcement does not repeat the startup summary.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(announced).toHaveLength(1);

    workers.stop("SIGTERM");
    workers.stop("SIGINT");
    expect(await workers.finished).toBe(0);
    expect(livePids()).toEqual([]);
    expect(lines.filter((line) => line.msg === "shutting down")).toHaveLength(1);
  });

  test("gives up with 1 when workers keep exiting: at most `size` restarts within the window", async () => {
    const { workers, lines, announced } = pool("crash", { size: 2, restartWindowMs: 10_000 });
    workers.start();
    expect(await workers.finished).toBe(1);
    const started = lines.filter((line) => line.msg === "worker started");
    // Two workers, two replacements, then the third unexpected exit stops the pool.
    expect(started).toHaveLength(4);
    expect(
      lines.filter((line) => line.msg === "workers keep exiting (2 restarts in 10 s): stopping"),
    ).toEqual([expect.objectContaining({ level: "error", code: 3, restarts: 2, windowSeconds: 10 })]);
    expect(announced).toEqual([]);
    await until(() => livePids().length === 0);
  });

  test("exits 1 when a worker does not drain cleanly", async () => {
    const { workers, announced, lines } = pool("fail-drain", { size: 2 });
    workers.start();
    await until(() => announced.length === 1);
    workers.stop("SIGTERM");
    expect(await workers.finished).toBe(1);
    expect(lines.filter((line) => line.msg === "worker did not drain cleanly")).toHaveLength(2);
  });

  test("a worker stopped while it still starts (killed by the SIGTERM) is no failure", async () => {
    const { workers, lines, announced } = pool("starting", { size: 2 });
    workers.start();
    await until(() => livePids().length === 2);
    workers.stop("SIGTERM");
    expect(await workers.finished).toBe(0);
    expect(announced).toEqual([]);
    expect(lines.filter((line) => line.msg === "worker stopped before it listened")).toHaveLength(2);
  });
});
