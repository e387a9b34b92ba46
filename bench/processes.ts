// Child processes of a benchmark run: spawn with a log file and the event-loop probe, read their CPU time
// and memory from /proc, and make sure every one of them dies with the run (normal end, error, Ctrl-C).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = dirname(fileURLToPath(import.meta.url));
const probePath = join(benchDir, "probe.ts");

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  logPath: string;
  exited: Promise<number | null>;
}

const children = new Set<Child>();

export function spawnChild(name: string, args: string[], logDir: string, env: NodeJS.ProcessEnv = {}): Child {
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `${name}.log`);
  const log = openSync(logPath, "w");
  // The log goes straight to a file descriptor so that the runner does not spend CPU relaying it.
  const proc = spawn(process.execPath, ["--experimental-strip-types", "--import", probePath, ...args], {
    cwd: join(benchDir, ".."),
    env: { ...process.env, NODE_NO_WARNINGS: "1", ...env },
    stdio: ["ignore", log, log, "ipc"],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const child: Child = { name, pid: proc.pid, process: proc, logPath, exited };
  children.add(child);
  exited.then(() => children.delete(child));
  return child;
}

export async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), 3_000);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stopChild));
}

function killAllNow(): void {
  for (const child of children) child.process.kill("SIGKILL");
}

/** Kills every child on exit, on Ctrl-C / SIGTERM and on a crash of the runner. */
export function installExitHandlers(): void {
  process.on("exit", killAllNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      killAllNow();
      process.exit(130);
    });
  }
  process.on("uncaughtException", (error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    killAllNow();
    process.exit(1);
  });
}

/** Waits for the `{type: "ready", port}` IPC message the mock and the bare proxy send. */
export function waitForReady(child: Child, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${child.name} not ready in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.process.on("message", (message: { type?: string; port?: number }) => {
      if (message?.type === "ready" && message.port) {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
    child.exited.then((code) => reject(new Error(`${child.name} exited (${code}); see ${child.logPath}`)));
  });
}

let probeId = 0;
export interface ProbeReading {
  eventLoopDelay: { p50: number; p99: number; max: number; mean: number };
  eventLoopUtilization: number;
}

export function probeReset(child: Child): void {
  if (child.process.connected) child.process.send({ type: "probe-reset" });
}

export function probeRead(child: Child, timeoutMs = 2_000): Promise<ProbeReading | undefined> {
  if (!child.process.connected) return Promise.resolve(undefined);
  const id = ++probeId;
  return new Promise((resolve) => {
    const onMessage = (message: ProbeReading & { type?: string; id?: number }): void => {
      if (message?.type !== "probe" || message.id !== id) return;
      done(message);
    };
    const done = (reading: ProbeReading | undefined): void => {
      clearTimeout(timer);
      child.process.off("message", onMessage);
      resolve(
        reading && {
          eventLoopDelay: reading.eventLoopDelay,
          eventLoopUtilization: reading.eventLoopUtilization,
        },
      );
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    child.process.on("message", onMessage);
    child.process.send({ type: "probe-read", id });
  });
}

let clockTicks = 0;
function ticksPerSecond(): number {
  if (clockTicks === 0) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds the process has used, from /proc/<pid>/stat (fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/** The pids of a process's descendants (a `--workers` gateway's workers), from /proc/<pid>/task/<tid>/children. */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const visit = (parent: number): void => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      return;
    }
    for (const task of tasks) {
      let text = "";
      try {
        text = readFileSync(`/proc/${parent}/task/${task}/children`, "utf8");
      } catch {
        continue;
      }
      for (const child of text.split(" ").filter(Boolean).map(Number)) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** CPU seconds of a process and its descendants (a gateway's workers count as the gateway). */
export function treeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  for (const child of descendants(pid)) {
    const seconds = cpuSeconds(child);
    if (!Number.isNaN(seconds)) total += seconds;
  }
  return total;
}

/** CPU seconds all our children (and theirs) have used so far. */
export function childrenCpuSeconds(): number {
  let total = 0;
  for (const child of children) {
    const seconds = treeCpuSeconds(child.pid);
    if (!Number.isNaN(seconds)) total += seconds;
  }
  return total;
}

/** Busy CPU seconds of the whole machine (all cores), from the first line of /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
    const busy = fields.slice(0, 8).reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0);
    return busy / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds the hypervisor gave to other guests while this VM wanted them (steal, the 8th field of
 * /proc/stat's first line), all cores: on a shared VM this is noise no process here caused.
 */
export function machineStealSeconds(): number {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
    return Number(fields[8]) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

export interface Memory {
  rssMb: number;
  peakMb: number;
}

export function memory(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string): number =>
      Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return { rssMb: Number.NaN, peakMb: Number.NaN };
  }
}

/** Resets VmHWM so that it reports the peak of the next measurement only; false where the kernel refuses. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples VmRSS of some processes, each with its descendants (a gateway's workers); stop() gives the maximum
 * seen per pid (VmHWM backs it up for a single process).
 */
export function sampleRss(pids: number[], intervalMs = 250): { stop: () => Map<number, number> } {
  const max = new Map<number, number>();
  const sample = (): void => {
    for (const pid of pids) {
      const { rssMb } = memory(pid);
      if (Number.isNaN(rssMb)) continue;
      const tree = descendants(pid).reduce((sum, child) => sum + (memory(child).rssMb || 0), rssMb);
      max.set(pid, Math.max(max.get(pid) ?? 0, tree));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function logTail(child: Child, chars = 600): string {
  try {
    const text = readFileSync(child.logPath, "utf8");
    return text.slice(-chars).trim();
  } catch {
    return "";
  }
}
