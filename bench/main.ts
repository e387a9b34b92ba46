// Orchestration of one benchmark run: start the children, run the scenarios, report, stop everything.
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { type CliOptions, HELP, parseArgs } from "./cli.js";
import { compareScenario } from "./compare.js";
import { COMPARE_SCENARIO, summarizeCompare } from "./compare-report.js";
import { OPENAI_MODEL, redisPrefix } from "./gateway-config.js";
import {
  prepareRunDir,
  runDir,
  startBare,
  startGateway,
  startMock,
  type Target,
  targetRequest,
  warmUp,
} from "./harness.js";
import { openaiChat } from "./payloads.js";
import { installExitHandlers, stopAll, stopChild } from "./processes.js";
import {
  checkTargets,
  type Report,
  renderMarkdown,
  type Soak,
  summarizeRoutes,
  writeReport,
} from "./report.js";
import {
  type Bench,
  type BenchOptions,
  holdScenario,
  peak,
  rateScenario,
  routesScenario,
  streamScenario,
} from "./scenarios.js";
import { runSoak } from "./soak.js";
import { workersScenario } from "./workers.js";
import { summarizeWorkers, WORKERS_SCENARIO } from "./workers-report.js";

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

function benchOptions(cli: CliOptions): BenchOptions {
  return {
    scenarios: cli.scenarios,
    durationS: cli.durationS,
    warmupS: cli.quick ? 1 : 2,
    warmupRequests: cli.quick ? 5_000 : 20_000,
    connections: cli.connections,
    streamChunks: 200,
    streamDelayMs: cli.chunkDelayMs,
    streamSequential: cli.quick ? 20 : 100,
    streamConcurrency: cli.quick ? 10 : 20,
    streamPerWorker: cli.quick ? 3 : 10,
    holdStreams: cli.holdStreams,
    holdS: cli.holdS,
    quick: cli.quick,
    autocannonRate: cli.autocannonRate,
  };
}

function machine(): Record<string, string | number> {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    commit,
  };
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  try {
    const { Redis } = await import("ioredis");
    const redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis.quit();
  } catch (error) {
    log(`  could not clean Redis keys ${prefix}*: ${(error as Error).message}`);
  }
}

/** Runs the scenarios asked for; returns the commit `--compare` measured, when it could. */
async function runScenarios(bench: Bench, cli: CliOptions): Promise<string | undefined> {
  const has = (s: string): boolean => cli.scenarios.has(s);
  const bare = bench.targets.find((t) => t.name === "bare");
  const gateway = bench.targets.find((t) => t.name === "tollgate");
  // The §7 comparisons run bare and tollgate back to back, `--rounds` times (direct once).
  const rounds = cli.rounds;
  const pair = [bare, gateway].filter((t): t is Target => t !== undefined);
  const numbered = (round: number) => (rounds > 1 && pair.length === 2 ? round : undefined);
  if (has("chat-max") || has("chat-rate")) {
    await rateScenario(bench, "chat-max", bench.targets, undefined, numbered(1));
    for (let round = 2; round <= rounds && pair.length === 2; round++)
      await rateScenario(bench, "chat-max", pair, undefined, round);
  }
  if (has("chat-rate")) {
    const barePeak = peak(bench, "chat-max", "bare");
    const gatewayPeak = peak(bench, "chat-max", "tollgate");
    const rate = barePeak ? barePeak / 2 : gatewayPeak ? gatewayPeak / 2 : undefined;
    if (rate) await rateScenario(bench, "chat-rate", bench.targets, rate);
    // DESIGN §7 compares p99 at half of Tollgate's own peak.
    if (gatewayPeak && pair.length === 2) {
      for (let round = 1; round <= rounds; round++)
        await rateScenario(bench, "chat-rate-tg", pair, gatewayPeak / 2, numbered(round));
    }
  }
  const compareCommit = cli.compare ? await compareScenario(bench, rounds, cli.compare) : undefined;
  if (has("bedrock-rate")) await routesScenario(bench, rounds);
  if (has("stream")) await streamScenario(bench, "stream");
  if (has("translated")) await streamScenario(bench, "translated");
  if (has("hold")) await holdScenario(bench);
  if (has("redis") && gateway) {
    // One gateway at a time: the memory-limits one stops so that it does not hold memory or CPU.
    if (gateway.child) await stopChild(gateway.child);
    gateway.notReady ??= "stopped for the Redis variant";
    const prefix = redisPrefix();
    log("redis: starting the gateway with limits in Redis");
    const redisGateway = await startGateway(bench.mockOrigin, { redisPrefix: prefix });
    const others = bench.targets.filter((t) => t.name !== "tollgate");
    bench.targets = [...others, redisGateway];
    // Paired with the bare proxy again: the in-memory rounds ran minutes earlier.
    const redisPair = bare ? [bare, redisGateway] : [redisGateway];
    for (let round = 1; round <= rounds; round++)
      await rateScenario(bench, "redis-max", redisPair, undefined, numbered(round));
    const tgRate = bench.results.find((r) => r.scenario === "chat-rate-tg" && r.offeredRate)?.offeredRate;
    const redisPeak = peak(bench, "redis-max", "tollgate-redis");
    const rate = tgRate ?? (redisPeak ? redisPeak / 2 : undefined);
    if (rate) await rateScenario(bench, "redis-rate", [redisGateway], rate);
    if (redisGateway.child) await stopChild(redisGateway.child);
    await deleteRedisKeys(prefix);
  }
  if (has(WORKERS_SCENARIO) && cli.targets.has("tollgate")) {
    await deleteRedisKeys(await workersScenario(bench, rounds, cli.workers));
  }
  return compareCommit;
}

export async function main(argv: string[]): Promise<number> {
  let cli: CliOptions | "help";
  try {
    cli = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (cli === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  installExitHandlers();
  const started = Date.now();
  // Read before the run: HEAD may move during an hour-long soak.
  const machineInfo = machine();
  prepareRunDir();
  const options = benchOptions(cli);
  try {
    const mock = await startMock();
    const targets: Target[] = [];
    const json = { "content-type": "application/json" };
    if (cli.targets.has("direct"))
      targets.push({ name: "direct", origin: mock.origin, child: mock.child, headers: json });
    if (cli.targets.has("bare")) targets.push(await startBare(mock.origin));
    if (cli.targets.has("tollgate")) targets.push(await startGateway(mock.origin));
    for (const t of targets) log(`${t.name}: ${t.notReady ?? t.origin}`);
    const bench: Bench = { options, mock: mock.child, mockOrigin: mock.origin, targets, results: [], log };
    let compareCommit: string | undefined;
    let soak: Soak | undefined;
    const notes: string[] = [];
    if (cli.soakS) {
      let gateway = targets.find((t) => t.name === "tollgate" && !t.notReady);
      if (gateway) {
        const reason = await warmUp(
          targetRequest(gateway, "/v1/chat/completions", openaiChat(OPENAI_MODEL, false)),
        );
        if (reason) {
          notes.push(`Gateway not ready for the soak: ${reason.replace(/\s+/g, " ").slice(0, 200)}`);
          gateway = undefined;
        }
      }
      const target = gateway ?? targets.find((t) => t.name === "bare") ?? targets[0];
      if (!target) throw new Error("no target to soak");
      if (!gateway) notes.push(`Soak ran against ${target.name}: the gateway is not ready or not selected.`);
      const intervalS = cli.soakIntervalS ?? Math.max(5, Math.min(60, Math.round(cli.soakS / 12)));
      soak = await runSoak(bench, target, { durationS: cli.soakS, intervalS, rate: cli.soakRate });
    } else {
      compareCommit = await runScenarios(bench, cli);
    }
    const runner = bench.results.map((r) => r.usage?.runnerCpuUsPerRequest).filter((v) => v !== undefined);
    if (runner.length > 0) {
      notes.push(
        `The load generator runs in the runner process and uses ${Math.min(...runner)}–${Math.max(...runner)} µs of CPU per request (or stream) itself (runnerCpuUsPerRequest in the JSON), on the same cores as the targets.`,
      );
    }
    notes.push(
      `Latencies are per request from send to last byte at µs resolution, without coordinated-omission correction. Maximum rates: autocannon, ${cli.connections} connections. Fixed rates: ${cli.autocannonRate ? "autocannon overallRate (bursty within each second)" : "an evenly paced undici client (autocannon's overallRate sends each second's quota in a burst)"}.`,
      "CPU µs/req is user+system time of the measured process (direct: the mock; bare: the bare proxy; tollgate: the gateway) from /proc/<pid>/stat, at 10 ms tick resolution.",
      "translated: direct and bare relay the mock's Anthropic stream unchanged; only the gateway translates it to OpenAI chunks.",
      `Other processes on the machine (not part of this run) used up to ${Math.max(0, ...bench.results.map((r) => r.usage?.otherCores ?? 0))} cores during a measurement (per measurement: otherCores in the JSON, "other load" above); numbers taken while that is high are noisy. The hypervisor's steal time (cores this VM wanted and other guests got; counted in the other load) was up to ${Math.max(0, ...bench.results.map((r) => r.usage?.stealCores ?? 0))} cores (stealCores in the JSON).`,
      `Child logs and the generated gateway config: ${runDir}.`,
    );
    const bedrock = summarizeRoutes(bench.results);
    if (bedrock)
      notes.push(
        "bedrock-rate: the gateway only (direct and bare can neither translate nor sign). The Bedrock provider has static keys, so the gateway signs every request with SigV4; the mock only checks that an AWS4-HMAC-SHA256 authorization header is present (403 otherwise) and does not verify the signature.",
      );
    const workers = summarizeWorkers(bench.results, cli.workers);
    if (workers)
      notes.push(
        `${WORKERS_SCENARIO}: tollgate-redis is the gateway with limits in Redis in one process, tollgate-workers the same config with \`serve --workers ${cli.workers}\` (node:cluster: the primary accepts and hands connections to the workers round-robin); each has its own SQLite file. Its CPU µs/req and RSS include the workers'.`,
      );
    const compare =
      cli.compare && compareCommit ? summarizeCompare(bench.results, cli.compare, compareCommit) : undefined;
    if (compare)
      notes.push(
        `${COMPARE_SCENARIO}: tollgate-base is the gateway of ${cli.compare} (${compare.baseCommit}), built in a temporary git worktree with this checkout's node_modules and run on the same config with its own SQLite file.`,
      );
    const report: Report = {
      startedAt: new Date(started).toISOString(),
      durationS: Math.round((Date.now() - started) / 1000),
      machine: machineInfo,
      argv: ["npm run bench --", ...argv],
      options: { ...options, scenarios: [...options.scenarios], targets: [...cli.targets], soakS: cli.soakS },
      results: bench.results,
      ...(soak ? { soak } : {}),
      ...(bedrock ? { bedrock } : {}),
      ...(workers ? { workers } : {}),
      ...(compare ? { compare } : {}),
      targets: checkTargets(bench.results, soak, 5_000),
      notes,
    };
    const markdown = renderMarkdown(report);
    process.stdout.write(`\n${markdown}`);
    log(`results: ${writeReport(report, markdown)} and bench/results/latest.md`);
    return cli.strict && report.targets.some((t) => t.result === "FAIL") ? 1 : 0;
  } finally {
    await stopAll();
  }
}
