// The measured scenarios. Each runs its targets one after another (direct to the mock, the bare proxy,
// Tollgate), so that they never compete with each other, only with the mock and the load generator.
import { ANTHROPIC_MODEL, BEDROCK_MODEL, OPENAI_MODEL } from "./gateway-config.js";
import {
  shapeMock,
  type Target,
  type TargetName,
  targetRequest,
  type Usage,
  warmUp,
  watch,
} from "./harness.js";
import { holdStreams, probeHealth, type Request, runRate, runStreams } from "./load.js";
import type { Measurement, Route } from "./measurement.js";
import { runPaced } from "./paced.js";
import { anthropicMessages, openaiChat } from "./payloads.js";
import { type Child, probeReset } from "./processes.js";

export const SCENARIOS = [
  "chat-max",
  "chat-rate",
  "bedrock-rate",
  "stream",
  "translated",
  "hold",
  "redis",
  "chat-max-workers",
] as const;

export interface BenchOptions {
  scenarios: Set<string>;
  durationS: number;
  warmupS: number;
  /**
   * Requests each target serves once before its first rate measurement: a JIT-compiled gateway keeps
   * getting cheaper for its first ~20,000 requests, and a short warm-up under-measures it.
   */
  warmupRequests: number;
  connections: number;
  streamChunks: number;
  streamDelayMs: number;
  streamSequential: number;
  streamConcurrency: number;
  streamPerWorker: number;
  holdStreams: number;
  holdS: number;
  quick: boolean;
  /** Fixed rates with autocannon's bursty overallRate instead of the evenly paced client. */
  autocannonRate: boolean;
}

export interface Bench {
  options: BenchOptions;
  mock: Child;
  mockOrigin: string;
  targets: Target[];
  results: Measurement[];
  log: (message: string) => void;
}

const CHAT = "/v1/chat/completions";
const MESSAGES = "/v1/messages";
const isGateway = (name: TargetName): boolean => name.startsWith("tollgate");
/** The routes each target has had its long warm-up on (once per process: later scenarios reuse it). */
const warmedUp = new WeakMap<Target, Set<string>>();

/**
 * The long warm-up of a target on one route, once: a JIT-compiled gateway keeps getting cheaper for its
 * first ~20,000 requests of a kind, and each route (pass-through, translation, signing) has its own code.
 */
async function longWarmUp(bench: Bench, target: Target, route: string, req: Request): Promise<void> {
  const done = warmedUp.get(target) ?? new Set<string>();
  warmedUp.set(target, done);
  if (done.has(route)) return;
  done.add(route);
  const label = route === "openai" ? "" : ` the ${route} route`;
  bench.log(`  ${target.name}: warming up${label} with ${bench.options.warmupRequests} requests`);
  await runRate(req, { connections: 10, durationS: 60, amount: bench.options.warmupRequests });
}

function notReady(bench: Bench, scenario: string, target: Target, why: string): void {
  const reason = why.replace(/\s+/g, " ").trim();
  const note =
    isGateway(target.name) && !reason.startsWith("gateway") ? `gateway not ready: ${reason}` : reason;
  bench.log(`  ${target.name}: ${note}`);
  bench.results.push({ scenario, target: target.name, status: "not-ready", note });
}

function push(bench: Bench, m: Omit<Measurement, "status"> & { usage: Usage }): void {
  bench.results.push({ status: "ok", ...m });
}

/** A target's peak: the median over the rounds it was measured in. */
export function peak(bench: Bench, scenario: string, target: TargetName): number | undefined {
  const rates = bench.results
    .filter((r) => r.scenario === scenario && r.target === target && r.status === "ok" && r.rate)
    .map((r) => r.rate!.rps)
    .sort((a, b) => a - b);
  return rates.length === 0 ? undefined : rates[Math.floor((rates.length - 1) / 2)];
}

/** Non-streaming chat against each target: at maximum rate, or at a fixed offered rate. */
export async function rateScenario(
  bench: Bench,
  scenario: string,
  targets: Target[],
  overallRate?: number,
  round?: number,
): Promise<void> {
  const { options } = bench;
  bench.log(
    `${scenario}${overallRate ? ` at ${Math.round(overallRate)} req/s` : ` (${options.connections} connections)`}`,
  );
  for (const target of targets) {
    if (target.notReady) {
      notReady(bench, scenario, target, target.notReady);
      continue;
    }
    const req = targetRequest(target, CHAT, openaiChat(OPENAI_MODEL, false));
    const reason = await warmUp(req);
    if (reason) {
      notReady(bench, scenario, target, reason);
      continue;
    }
    await longWarmUp(bench, target, "openai", req);
    await runRate(req, { connections: 10, durationS: options.warmupS });
    const { connections, durationS } = options;
    const work =
      overallRate && !options.autocannonRate
        ? () => runPaced(req, { rate: overallRate, durationS, connections })
        : () => runRate(req, { connections, durationS, ...(overallRate ? { overallRate } : {}) });
    const { result, usage } = await watch(target.child, bench.mock, work, (r) => r.requests);
    bench.log(
      `  ${target.name}${round ? ` #${round}` : ""}: ${result.rps} req/s, p99 ${result.latencyMs.p99} ms, ${usage.cpuUsPerRequest} µs CPU/req`,
    );
    push(bench, {
      scenario,
      ...(round ? { round } : {}),
      target: target.name,
      rate: result,
      usage,
      ...(overallRate ? { offeredRate: Math.round(overallRate) } : {}),
    });
  }
}

/** The gateway's three non-streaming routes for an OpenAI client, cheapest first. */
export const ROUTES: ReadonlyArray<{ route: Route; model: string }> = [
  { route: "openai", model: OPENAI_MODEL },
  { route: "anthropic", model: ANTHROPIC_MODEL },
  { route: "bedrock", model: BEDROCK_MODEL },
];

/**
 * `bedrock-rate`: OpenAI-dialect chat through the gateway to OpenAI (pass-through), to Anthropic (translated)
 * and to Bedrock InvokeModel (translated and SigV4-signed per request), each at the same fixed rate, half of
 * the Bedrock route's peak (the costliest route, so none is saturated). The routes are measured back to back
 * in each of `rounds` rounds, so each round compares measurements a few seconds apart.
 */
export async function routesScenario(bench: Bench, rounds: number): Promise<void> {
  const scenario = "bedrock-rate";
  const { options } = bench;
  const target = bench.targets.find((t) => t.name === "tollgate");
  bench.log(`${scenario}: OpenAI client → OpenAI, Anthropic and Bedrock (SigV4) routes`);
  if (!target) {
    bench.log("  skipped: the gateway is not among the targets");
    return;
  }
  if (target.notReady) {
    notReady(bench, scenario, target, target.notReady);
    return;
  }
  const ready: Array<{ route: Route; req: Request }> = [];
  for (const { route, model } of ROUTES) {
    const req = targetRequest(target, CHAT, openaiChat(model, false));
    const reason = await warmUp(req);
    if (reason) {
      const note = `${route} route: gateway not ready: ${reason.replace(/\s+/g, " ").trim()}`;
      bench.log(`  ${target.name}: ${note}`);
      bench.results.push({ scenario, route, target: target.name, status: "not-ready", note });
      continue;
    }
    await longWarmUp(bench, target, route, req);
    ready.push({ route, req });
  }
  const bedrock = ready.find((r) => r.route === "bedrock");
  if (!bedrock) return;
  const { connections, durationS } = options;
  // The rate: half of the Bedrock route's peak (autocannon, as chat-max).
  const { result: max, usage: maxUsage } = await watch(
    target.child,
    bench.mock,
    () => runRate(bedrock.req, { connections, durationS }),
    (r) => r.requests,
  );
  bench.log(`  bedrock peak: ${max.rps} req/s, ${maxUsage.cpuUsPerRequest} µs CPU/req`);
  push(bench, { scenario: "bedrock-max", route: "bedrock", target: target.name, rate: max, usage: maxUsage });
  const rate = max.rps / 2;
  if (!(rate > 0)) return;
  bench.log(`  at ${Math.round(rate)} req/s`);
  for (let round = 1; round <= rounds; round++) {
    for (const { route, req } of ready) {
      await runRate(req, { connections: 10, durationS: options.warmupS });
      const work = options.autocannonRate
        ? () => runRate(req, { connections, durationS, overallRate: rate })
        : () => runPaced(req, { rate, durationS, connections });
      const { result, usage } = await watch(target.child, bench.mock, work, (r) => r.requests);
      bench.log(
        `  ${route}${rounds > 1 ? ` #${round}` : ""}: ${result.rps} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${usage.cpuUsPerRequest} µs CPU/req`,
      );
      push(bench, {
        scenario,
        route,
        ...(rounds > 1 ? { round } : {}),
        target: target.name,
        rate: result,
        usage,
        offeredRate: Math.round(rate),
      });
    }
  }
}

/** Streams of `streamChunks` records; `translated` sends OpenAI-dialect requests to an Anthropic model. */
export async function streamScenario(bench: Bench, scenario: "stream" | "translated"): Promise<void> {
  const { options } = bench;
  bench.log(`${scenario}: ${options.streamChunks} chunks per stream`);
  await shapeMock(bench.mockOrigin, options.streamChunks, options.streamDelayMs);
  for (const target of bench.targets) {
    if (target.notReady) {
      notReady(bench, scenario, target, target.notReady);
      continue;
    }
    // Direct and bare have no translation: they relay the same Anthropic stream the gateway translates.
    const anthropicUpstream = scenario === "translated" && !isGateway(target.name);
    const req: Request = anthropicUpstream
      ? targetRequest(target, MESSAGES, anthropicMessages("claude-sonnet-4-5", true))
      : targetRequest(
          target,
          CHAT,
          openaiChat(scenario === "translated" ? ANTHROPIC_MODEL : OPENAI_MODEL, true),
        );
    const terminator = anthropicUpstream ? "message_stop" : "[DONE]";
    const reason = await warmUp(req, { terminator });
    if (reason) {
      notReady(bench, scenario, target, reason);
      continue;
    }
    await runStreams(req, terminator, { sequential: 5, concurrency: 4, perWorker: 3 });
    const shape = {
      sequential: options.streamSequential,
      concurrency: options.streamConcurrency,
      perWorker: options.streamPerWorker,
    };
    const { result, usage } = await watch(
      target.child,
      bench.mock,
      () => runStreams(req, terminator, shape),
      (r) => r.sequential.requests + r.concurrent.requests,
    );
    const s = result.sequential;
    bench.log(`  ${target.name}: sequential TTFB p50 ${s.ttfbMs.p50} ms, total p50 ${s.totalMs.p50} ms`);
    push(bench, { scenario, target: target.name, stream: result, usage, chunks: options.streamChunks });
  }
}

/** Many slow streams (one record a second) held open; RSS, event-loop delay and /healthz latency meanwhile. */
export async function holdScenario(bench: Bench): Promise<void> {
  const { options } = bench;
  const rampPerSecond = 1_000;
  const rampS = options.holdStreams / rampPerSecond;
  bench.log(`hold: ${options.holdStreams} streams for ${options.holdS} s (ramp ${rampS} s)`);
  await shapeMock(bench.mockOrigin, Math.ceil(rampS + options.holdS + 15), 1_000);
  for (const target of bench.targets) {
    if (target.notReady) {
      notReady(bench, "hold", target, target.notReady);
      continue;
    }
    const req = targetRequest(target, CHAT, openaiChat(OPENAI_MODEL, true));
    const reason = await warmUp(req, { headersOnly: true });
    if (reason) {
      notReady(bench, "hold", target, reason);
      continue;
    }
    let health: ReturnType<typeof probeHealth> | undefined;
    const { result, usage } = await watch(
      target.child,
      bench.mock,
      () =>
        holdStreams(req, {
          count: options.holdStreams,
          holdS: options.holdS,
          rampPerSecond,
          onRamped: () => {
            health = probeHealth(target.origin);
            // Event-loop delay of the hold itself, not of the ramp (connection setup) before it.
            if (target.child) probeReset(target.child);
          },
        }),
      (r) => r.opened,
    );
    const healthz = await health?.stop();
    bench.log(
      `  ${target.name}: ${result.heldAtEnd}/${result.target} held, RSS max ${usage.rssMaxMb} MB, ` +
        `event-loop delay p99 ${usage.probe?.eventLoopDelay.p99 ?? "?"} ms, /healthz p99 ${healthz?.p99} ms`,
    );
    push(bench, {
      scenario: "hold",
      target: target.name,
      hold: { ...result, ...(healthz ? { healthzMs: healthz } : {}) },
      usage,
    });
    // Let the aborted streams' sockets close before the next target.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
