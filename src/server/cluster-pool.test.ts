import cluster, { type Worker } from "node:cluster";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { createLogger } from "../telemetry/logger.js";
import { WorkerPool, type WorkerPoolOptions } from "./cluster-pool.js";

/**
 * A stand-in worker, by its first argument: `crash` exits 3 at once; `starting` never gets as far as listening
 * (and has no signal handlers); `slow-start` listens after 400 ms, with its handlers from then on;
 * `sigint-on-term` never listens and, told to stop, dies of a SIGINT (a Ctrl-C reaching it first); `serve`
 * announces itself, exits 0 on SIGTERM after a short drain, reloads (counts) on SIGHUP and answers metrics
 * collections with a counter and a gauge the test sets; `fail-drain` is `serve` but exits 1 on SIGTERM.
 */
const workerScript = `
const mode = process.argv[2];
if (mode === "crash") process.exit(3);
const forever = () => setInterval(() => {}, 1000);
if (mode === "starting") return forever();
if (mode === "sigint-on-term") {
  process.on("SIGTERM", () => process.kill(process.pid, "SIGINT"));
  process.send({ type: "handlers" });
  return forever();
}
let requests = 0;
let depth = 0;
let mute = false;
process.on("message", (message) => {
  if (message.type === "set") ({ requests, depth } = message);
  else if (message.type === "mute") mute = true;
  else if (message.type === "scrape") process.send({ type: "tollgate:metrics-request", id: message.id });
  else if (message.type === "tollgate:metrics-reply") process.send({ type: "scraped", text: message.text });
  else if (message.type === "tollgate:metrics-collect" && !mute)
    process.send({
      type: "tollgate:metrics-collected",
      id: message.id,
      metrics: [
        { name: "tollgate_requests_total", help: "r", type: "counter", aggregator: "sum", values: [{ labels: {}, value: requests }] },
        { name: "tollgate_usage_queue_depth", help: "d", type: "gauge", aggregator: "max", values: [{ labels: {}, value: depth }] },
      ],
    });
});
const listen = () => {
  let reloads = 0;
  process.on("SIGHUP", () => { reloads++; process.send({ type: "reloaded", reloads }); });
  process.on("SIGTERM", () => {
    setTimeout(() => process.exit(mode === "fail-drain" ? 1 : 0), 50);
  });
  process.send({ type: "tollgate:listening", facts: { pid: process.pid } });
};
if (mode === "slow-start") setTimeout(listen, 400);
else listen();
forever();
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

/** Worker processes that told their primary they listen, by pid. */
const listenedPids = new Set<number>();
cluster.on("message", (worker, message: { type?: string }) => {
  if (message.type === "tollgate:listening" && worker.process.pid) listenedPids.add(worker.process.pid);
});

let running: WorkerPool<{ pid: number }> | undefined;
afterEach(async () => {
  // A test that failed half-way leaves no workers behind.
  running?.stop("SIGTERM");
  await running?.finished;
  running = undefined;
});

type Options = Omit<WorkerPoolOptions<{ pid: number }>, "logger" | "onListening">;

function pool(mode: string, options: Options) {
  cluster.setupPrimary({ exec: script, args: [mode], execArgv: [], silent: true });
  const { logger, lines } = capturedLogger();
  const announced: { pid: number }[] = [];
  const workers = new WorkerPool<{ pid: number }>({
    ...options,
    logger,
    onListening: (facts) => announced.push(facts),
  });
  running = workers;
  return { workers, lines, announced };
}

const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
const livePids = () => liveWorkers().map((worker) => worker.process.pid);
const messages = (lines: Record<string, unknown>[], msg: string) => lines.filter((line) => line.msg === msg);
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await sleep(20);
  }
}

let scrapes = 0;
/** `/metrics` as the worker's route asks for it: the primary's aggregation of every worker's. */
function scrapeThrough(worker: Worker): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (message: { type?: string; text?: string }) => {
      if (message.type !== "scraped") return;
      worker.off("message", onMessage);
      resolve(message.text ?? "");
    };
    worker.on("message", onMessage);
    worker.send({ type: "scrape", id: ++scrapes });
  });
}

const sample = (text: string, name: string) => {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

describe("WorkerPool (the primary of serve --workers N)", () => {
  test("announces once when every worker listens, replaces a killed one, forwards SIGHUP and drains to 0", async () => {
    const { workers, lines, announced } = pool("serve", { size: 2 });
    workers.start();
    await until(() => announced.length === 1 && livePids().length === 2);
    const [victim, survivor] = livePids();

    const reloads: number[] = [];
    for (const worker of liveWorkers()) {
      worker.on("message", (message: { type?: string }) => {
        if (message.type === "reloaded") reloads.push(worker.id);
      });
    }
    workers.reload();
    await until(() => reloads.length === 2);

    process.kill(victim!, "SIGKILL");
    await until(() => livePids().length === 2 && !livePids().includes(victim));
    expect(livePids()).toContain(survivor);
    const exited = messages(lines, "worker exited unexpectedly; starting a replacement");
    expect(exited).toEqual([
      expect.objectContaining({
        level: "error",
        pid: victim,
        code: null,
        signal: "SIGKILL",
        restartInMs: 100,
      }),
    ]);
    // The replacement's own announcement does not repeat the startup summary.
    await sleep(200);
    expect(announced).toHaveLength(1);

    workers.stop("SIGTERM");
    workers.stop("SIGINT");
    expect(await workers.finished).toBe(0);
    expect(livePids()).toEqual([]);
    expect(messages(lines, "shutting down")).toHaveLength(1);
  });

  test("unrelated deaths never stop it: each replacement waits longer, and the wait starts over after a worker has served a while", async () => {
    const { workers, lines } = pool("serve", {
      size: 1,
      restarts: { initialDelayMs: 20, stableAfterMs: 1_000 },
    });
    workers.start();
    const killListening = async () => {
      await until(() => livePids().length === 1 && listenedPids.has(livePids()[0]!));
      process.kill(livePids()[0]!, "SIGKILL");
      await until(() => livePids().length === 0);
    };
    for (let index = 0; index < 4; index++) await killListening();
    await until(() => livePids().length === 1 && listenedPids.has(livePids()[0]!));
    await sleep(1_100);
    await killListening();
    await until(() => livePids().length === 1 && listenedPids.has(livePids()[0]!));
    const delays = messages(lines, "worker exited unexpectedly; starting a replacement").map(
      (line) => line.restartInMs,
    );
    expect(delays).toEqual([20, 40, 80, 160, 20]);
    workers.stop("SIGTERM");
    expect(await workers.finished).toBe(0);
  });

  test("gives up with 1 only when workers keep exiting before they listen, after growing delays", async () => {
    const { workers, lines, announced } = pool("crash", {
      size: 2,
      restarts: { initialDelayMs: 50, maxDelayMs: 200, maxFailedStarts: 5 },
    });
    workers.start();
    expect(await workers.finished).toBe(1);
    const retried = messages(lines, "worker exited before it listened; starting a replacement");
    expect(retried.map((line) => line.restartInMs)).toEqual([50, 100, 200, 200]);
    expect(retried[0]).toMatchObject({ level: "error", code: 3 });
    expect(messages(lines, "workers keep exiting before they listen (5 in a row): stopping")).toEqual([
      expect.objectContaining({ level: "error", code: 3, failedStarts: 5 }),
    ]);
    expect(announced).toEqual([]);
    await until(() => livePids().length === 0);
  });

  test("a worker that does not listen in time is killed and replaced", async () => {
    const { workers, lines } = pool("starting", {
      size: 1,
      startTimeoutMs: 300,
      restarts: { initialDelayMs: 20 },
    });
    workers.start();
    await until(() => messages(lines, "worker did not listen within 0.3 s; killing it").length === 2);
    expect(messages(lines, "worker exited before it listened; starting a replacement")[0]).toMatchObject({
      signal: "SIGKILL",
      restartInMs: 20,
    });
    workers.stop("SIGTERM");
    expect(await workers.finished).toBe(0);
  });

  test("SIGHUP reaches a worker still starting only once it listens (before, it would kill it)", async () => {
    const { workers, lines, announced } = pool("slow-start", { size: 2 });
    const reloaded = new Set<number>();
    cluster.on("message", function onReloaded(worker, message: { type?: string }) {
      if (message.type === "reloaded") reloaded.add(worker.id);
      if (reloaded.size === 2) cluster.off("message", onReloaded);
    });
    workers.start();
    await until(() => livePids().length === 2);
    workers.reload();
    await until(() => announced.length === 1 && reloaded.size === 2);
    expect(lines.filter((line) => String(line.msg).startsWith("worker exited"))).toEqual([]);
    workers.stop("SIGTERM");
    expect(await workers.finished).toBe(0);
  });

  test("exits 1 when a worker does not drain cleanly", async () => {
    const { workers, announced, lines } = pool("fail-drain", { size: 2 });
    workers.start();
    await until(() => announced.length === 1);
    workers.stop("SIGTERM");
    expect(await workers.finished).toBe(1);
    expect(messages(lines, "worker did not drain cleanly")).toHaveLength(2);
  });

  test("a worker stopped while it still starts (killed by the SIGTERM) is no failure", async () => {
    const { workers, lines, announced } = pool("starting", { size: 2 });
    workers.start();
    await until(() => livePids().length === 2);
    workers.stop("SIGTERM");
    expect(await workers.finished).toBe(0);
    expect(announced).toEqual([]);
    expect(messages(lines, "worker stopped before it listened")).toHaveLength(2);
  });

  test("Ctrl-C while workers start (a SIGINT reaching them first) is no failure either", async () => {
    const { workers, lines } = pool("sigint-on-term", { size: 2 });
    let ready = 0;
    cluster.on("message", function onHandlers(_worker, message: { type?: string }) {
      if (message.type === "handlers" && ++ready === 2) cluster.off("message", onHandlers);
    });
    workers.start();
    await until(() => ready === 2);
    workers.stop("SIGINT");
    expect(await workers.finished).toBe(0);
    expect(messages(lines, "worker stopped before it listened")).toEqual([
      expect.objectContaining({ signal: "SIGINT" }),
      expect.objectContaining({ signal: "SIGINT" }),
    ]);
    expect(messages(lines, "worker did not drain cleanly")).toEqual([]);
  });

  test("/metrics: counters never go down when a worker is silent or exits, its gauges go, and one starting is not waited for", async () => {
    const { workers, announced } = pool("serve", { size: 2 });
    workers.start();
    await until(() => announced.length === 1);
    const [first, second] = liveWorkers();
    first!.send({ type: "set", requests: 3, depth: 2 });
    second!.send({ type: "set", requests: 5, depth: 4 });
    await sleep(50);
    const both = await scrapeThrough(first!);
    expect(sample(both, "tollgate_requests_total")).toBe(8);
    expect(sample(both, "tollgate_usage_queue_depth")).toBe(4);

    // Silent past the deadline: its last answer counts.
    second!.send({ type: "mute" });
    await sleep(50);
    expect(sample(await scrapeThrough(first!), "tollgate_requests_total")).toBe(8);

    // Gone, and its replacement still starting (no metrics to give): its totals stay, its gauge goes.
    cluster.setupPrimary({ exec: script, args: ["starting"], execArgv: [], silent: true });
    second!.process.kill("SIGKILL");
    await until(() => livePids().length === 2 && !livePids().includes(second!.process.pid));
    const startedAt = Date.now();
    const after = await scrapeThrough(first!);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(sample(after, "tollgate_requests_total")).toBe(8);
    expect(sample(after, "tollgate_usage_queue_depth")).toBe(2);

    workers.stop("SIGTERM");
    expect(await workers.finished).toBe(0);
  });
});
