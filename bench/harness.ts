// The processes under test and the measurement wrapper: every measurement records the measured process's
// CPU time per request, its RSS (sampled maximum and VmHWM), its event-loop delay, and the runner's own CPU.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { request } from "undici";
import { writeGatewayConfig } from "./gateway-config.js";
import type { Request } from "./load.js";
import { BENCH_TOKEN } from "./payloads.js";
import {
  benchDir,
  type Child,
  childrenCpuSeconds,
  cpuSeconds,
  freePort,
  logTail,
  machineBusySeconds,
  machineStealSeconds,
  memory,
  type ProbeReading,
  probeRead,
  probeReset,
  resetPeak,
  sampleRss,
  spawnChild,
  stopChild,
  treeCpuSeconds,
  waitForReady,
} from "./processes.js";

/**
 * `tollgate-workers`: `serve --workers N` (Redis limits), beside `tollgate-redis`, the same in one process.
 * `tollgate-base`: another commit's gateway (`--compare REV`), beside this build's `tollgate`.
 */
export type TargetName =
  | "direct"
  | "bare"
  | "tollgate"
  | "tollgate-redis"
  | "tollgate-workers"
  | "tollgate-base";

export interface Target {
  name: TargetName;
  origin: string;
  child: Child | undefined;
  headers: Record<string, string>;
  /** Why the target cannot be measured (the gateway did not start, or its route answered non-2xx). */
  notReady?: string;
}

export const runDir = join(benchDir, "results", "run");

export function prepareRunDir(): void {
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
}

export async function startMock(): Promise<{ child: Child; origin: string }> {
  const child = spawnChild("mock-upstream", [join(benchDir, "mock-upstream.ts")], runDir);
  const port = await waitForReady(child);
  return { child, origin: `http://127.0.0.1:${port}` };
}

export async function startBare(mockOrigin: string): Promise<Target> {
  const child = spawnChild("bare-proxy", [join(benchDir, "bare-proxy.ts"), "--upstream", mockOrigin], runDir);
  const port = await waitForReady(child);
  return {
    name: "bare",
    origin: `http://127.0.0.1:${port}`,
    child,
    headers: { "content-type": "application/json" },
  };
}

/**
 * Starts `tollgate serve` (with `workers` > 1, `--workers N`, which needs `redisPrefix`); a gateway that does not
 * start is returned as a target that is not ready.
 */
export async function startGateway(
  mockOrigin: string,
  options: {
    redisPrefix?: string;
    workers?: number;
    /** Another checkout's build (`--compare`): its dist/ is run, with its own SQLite file. */
    root?: string;
    name?: TargetName;
  } = {},
): Promise<Target> {
  const { redisPrefix } = options;
  const workers = options.workers ?? 1;
  const name: TargetName =
    options.name ?? (workers > 1 ? "tollgate-workers" : redisPrefix ? "tollgate-redis" : "tollgate");
  const headers = { "content-type": "application/json", authorization: `Bearer ${BENCH_TOKEN}` };
  const main = join(options.root ?? join(benchDir, ".."), "dist", "cli", "main.js");
  if (!existsSync(main)) {
    return {
      name,
      origin: "",
      child: undefined,
      headers,
      notReady: "gateway not built (dist/cli/main.js missing)",
    };
  }
  const config = writeGatewayConfig({
    mockOrigin,
    dir: runDir,
    ...(redisPrefix ? { redisPrefix } : {}),
    // Its own SQLite file: the one-process gateway may run beside it.
    ...(workers > 1 ? { variant: "workers" } : options.root ? { variant: "base" } : {}),
  });
  const port = await freePort();
  const args = [main, "serve", "--config", config, "--host", "127.0.0.1", "--port", String(port)];
  if (workers > 1) args.push("--workers", String(workers));
  const child = spawnChild(name, args, runDir, {
    BENCH_TOKEN,
    TOLLGATE_ADMIN_TOKEN: `${BENCH_TOKEN}_admin`,
    TOLLGATE_CONFIG: "",
  });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      return { name, origin, child: undefined, headers, notReady: `gateway exited: ${logTail(child, 400)}` };
    }
    try {
      const res = await request(`${origin}/healthz`);
      await res.body.dump();
      // With workers, the first one answers before the others listen: the primary says when all do.
      const allListening =
        workers === 1 || readFileSync(child.logPath, "utf8").includes('"msg":"tollgate listening"');
      if (res.statusCode === 200 && allListening) return { name, origin, child, headers };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopChild(child);
  return {
    name,
    origin,
    child: undefined,
    headers,
    notReady: `gateway: no /healthz answer in 20 s: ${logTail(child, 400)}`,
  };
}

export function targetRequest(target: Target, path: string, body: string): Request {
  return { origin: target.origin, path, headers: target.headers, body };
}

/**
 * One request as a warm-up; returns why the target is not ready for this scenario, if it is not. With
 * `terminator`, the whole stream is read and must contain it; with `headersOnly`, only the status counts
 * (for the slow streams of the hold scenario).
 */
export async function warmUp(
  req: Request,
  check: { terminator?: string; headersOnly?: boolean } = {},
): Promise<string | undefined> {
  const abort = new AbortController();
  try {
    const res = await request(req.origin + req.path, {
      method: "POST",
      headers: req.headers,
      body: req.body,
      headersTimeout: 10_000,
      bodyTimeout: 30_000,
      signal: abort.signal,
    });
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    if (ok && check.headersOnly) {
      abort.abort();
      await res.body.dump().catch(() => undefined);
      return undefined;
    }
    const text = await res.body.text();
    const excerpt = text.replace(/\s+/g, " ").slice(0, 200);
    if (!ok) return `${res.statusCode} ${excerpt}`;
    if (check.terminator && !text.includes(check.terminator)) {
      return `stream did not end with ${check.terminator}: ${excerpt}`;
    }
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface Usage {
  /** µs of CPU (user + system) of the measured process per completed request. */
  cpuUsPerRequest: number;
  /** µs of CPU of the mock upstream and of the runner (load generator) per request. */
  mockCpuUsPerRequest: number;
  runnerCpuUsPerRequest: number;
  rssMaxMb: number;
  /** RSS of the measured process when the measurement began (the hold's per-stream memory is the growth). */
  rssStartMb: number;
  peakMb: number;
  probe: ProbeReading | undefined;
  /** Cores used by processes outside this benchmark during the measurement (other work on the machine, steal included). */
  otherCores: number;
  /** Of those, cores the hypervisor took for other guests (steal time). */
  stealCores: number;
  /** Event-loop delay of the runner, where latencies are timed: a busy runner inflates them. */
  runnerEventLoopDelayMs: { p99: number; max: number };
}

// The runner's own event loop, sampled like the children's (bench/probe.ts); values exclude the resolution.
const runnerLoop = monitorEventLoopDelay({ resolution: 10 });
runnerLoop.enable();
const loopMs = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - 10) * 100) / 100);

/** Runs `work` while watching `child` (the process whose overhead is measured) and the mock. */
export async function watch<T>(
  child: Child | undefined,
  mock: Child,
  work: () => Promise<T>,
  count: (result: T) => number,
): Promise<{ result: T; usage: Usage }> {
  const pid = child?.pid ?? mock.pid;
  const measured = child ?? mock;
  resetPeak(pid);
  probeReset(measured);
  const cpu0 = treeCpuSeconds(pid);
  const mock0 = cpuSeconds(mock.pid);
  const runner0 = process.cpuUsage();
  runnerLoop.reset();
  const ours0 = childrenCpuSeconds();
  const busy0 = machineBusySeconds();
  const steal0 = machineStealSeconds();
  const wall0 = performance.now();
  const rssStart = memory(pid).rssMb;
  const sampler = sampleRss([pid]);
  const result = await work();
  const rssMax = sampler.stop().get(pid) ?? Number.NaN;
  const runner = process.cpuUsage(runner0);
  const wallS = (performance.now() - wall0) / 1000;
  const ours = childrenCpuSeconds() - ours0 + (runner.user + runner.system) / 1e6;
  const otherCores = Math.max(0, Math.round(((machineBusySeconds() - busy0 - ours) / wallS) * 100) / 100);
  const stealCores = Math.max(0, Math.round(((machineStealSeconds() - steal0) / wallS) * 100) / 100);
  const n = Math.max(1, count(result));
  const perRequest = (seconds: number): number => Math.round((seconds * 1e6) / n);
  return {
    result,
    usage: {
      cpuUsPerRequest: perRequest(treeCpuSeconds(pid) - cpu0),
      mockCpuUsPerRequest: perRequest(cpuSeconds(mock.pid) - mock0),
      runnerCpuUsPerRequest: Math.round((runner.user + runner.system) / n),
      rssMaxMb: Math.round(rssMax),
      rssStartMb: Math.round(rssStart),
      peakMb: Math.round(memory(pid).peakMb),
      probe: await probeRead(measured),
      otherCores,
      stealCores,
      runnerEventLoopDelayMs: { p99: loopMs(runnerLoop.percentile(99)), max: loopMs(runnerLoop.max) },
    },
  };
}

/** Sets the mock's stream shape (records per stream and delay between them) for the next scenario. */
export async function shapeMock(mockOrigin: string, chunks: number, delayMs: number): Promise<void> {
  const res = await request(`${mockOrigin}/__bench/config`, {
    method: "POST",
    body: JSON.stringify({ chunks, delayMs }),
  });
  await res.body.dump();
}
