import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { type ServeProcess, startServeProcess } from "../e2e/serve-process.js";
import { TcpFaultProxy } from "../faults/tcp-fault-proxy.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { OwnRedis } from "../support/own-redis.js";
import { freePort } from "../support/ports.js";
import { ChaosUpstream } from "./chaos-upstream.js";
import { type ChaosActor, type Dialect, type Result, send } from "./traffic.js";

export interface ChaosOptions {
  durationMs: number;
  /** Clients sending at once. */
  clients: number;
  seed: number;
  log: (line: string) => void;
}

/** The limits the run checks: small, so traffic runs into them all the time. */
export const CONCURRENT_LIMIT = 3;
export const REQUEST_LIMIT = 60;
/**
 * Long enough that a slot leaked during a phase is still held when the phase ends and is checked (a slot not
 * released returns only when its lease runs out).
 */
const LEASE_MS = 10_000;
/** See ChaosUpstream.mostHeld: how late an abandoned call's close may reach the upstream. */
export const TEARDOWN_GRACE_MS = 20;

export interface ChaosReport {
  results: Result[];
  /** Phases as they happened, with their start in ms from the run's start. */
  phases: { name: string; atMs: number }[];
  /** The most of the bounded actor's requests the upstream held at once (abandoned calls' teardown aside). */
  mostHeldBounded: number;
  /** The same, counting every call until the upstream saw its connection close. */
  mostHeldBoundedRaw: number;
  admittedCounted: number;
  /**
   * Slots the bounded actor held on each replica at the end of each phase, with traffic paused and every request
   * ended. Not checked within a lease of Redis stopping: an admission it ran as it died, whose answer was lost,
   * holds its slot until the lease ends, by design.
   */
  slotChecks: { phase: string; held: number[] | "skipped" }[];
  exitCodes: (number | null)[];
  /** Request ids with no usage event, and with more than one. */
  missingUsage: string[];
  duplicateUsage: string[];
  usageRows: number;
  failures: string[];
}

/** mulberry32: a seeded generator, so a run's choices can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const token = (name: string) => `tg_chaos_${name}_${randomBytes(12).toString("hex")}`;

function gatewayConfig(upstream: string, storage: string, redis: string, prefix: string): string {
  const model = (provider: string, id: string) => ({
    modelRef: `${provider}::v1::${id}`,
    modelName: id,
    capabilities: ["chat"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 10_000, maxOutputTokens: 100 },
  });
  const env = (name: string) => `$\{${name}}`;
  return JSON.stringify({
    storage: { url: storage },
    redis: { url: redis, keyPrefix: prefix },
    // Closed: while Redis is down nothing is admitted, so the limits can be checked exactly all along.
    limits: { failMode: "closed", concurrencyLease: `${LEASE_MS / 1000}s` },
    server: { shutdownTimeout: "10s" },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "compat",
          serverSideConfig: {
            type: "openaicompatible",
            endpoints: [{ url: `${upstream}/v1`, accessToken: "sk-chaos-upstream" }],
          },
        },
        {
          id: "claude",
          serverSideConfig: { type: "anthropic", endpoint: upstream, accessToken: "sk-ant-chaos-upstream" },
        },
      ],
      modelOverrides: ["bounded", "counted", "free"].flatMap((id) => [
        model("compat", id),
        model("claude", id),
      ]),
      defaultModels: { chat: "compat::v1::free", fastChat: "compat::v1::free", codeCompletion: "" },
    },
    actors: [
      {
        id: "bounded",
        name: "Bounded",
        tokens: [env("BOUNDED_TOKEN")],
        limits: { chat: { concurrent: CONCURRENT_LIMIT } },
      },
      {
        id: "counted",
        name: "Counted",
        tokens: [env("COUNTED_TOKEN")],
        limits: { chat: { requests: REQUEST_LIMIT, interval: "1h" } },
      },
      { id: "free", name: "Free", tokens: [env("FREE_TOKEN")] },
    ],
  });
}

/** The phases as shares of the run: each fault, and calm between them so the run can see recovery. */
const schedule: { at: number; name: string }[] = [
  { at: 0, name: "calm" },
  { at: 0.15, name: "upstream storm" },
  { at: 0.35, name: "redis down" },
  { at: 0.5, name: "calm" },
  { at: 0.58, name: "postgres down" },
  { at: 0.78, name: "calm" },
];

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = seeded(options.seed);
  const dir = await mkdtemp(join(tmpdir(), "tollgate-chaos-"));
  const schema = randomSchemaName();
  const base = await postgresUrl();
  const postgres = new TcpFaultProxy(new URL(base));
  const redis = new OwnRedis(await freePort(), { persist: true });
  const upstream = new ChaosUpstream(seeded(options.seed + 1));
  const replicas: ServeProcess[] = [];
  const tokens = { bounded: token("bounded"), counted: token("counted"), free: token("free") };
  const actors: ChaosActor[] = [
    { id: "bounded", token: tokens.bounded, model: "bounded" },
    { id: "counted", token: tokens.counted, model: "counted" },
    { id: "free", token: tokens.free, model: "free" },
  ];
  const phases: ChaosReport["phases"] = [];
  const results: Result[] = [];
  let started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const proxied = await postgres.start();
    await redis.start();
    const upstreamUrl = await upstream.start();
    const through = new URL(base);
    through.host = proxied;
    const storage = withSchema(through.toString(), schema);
    const file = join(dir, "tollgate.jsonc");
    await writeFile(file, gatewayConfig(upstreamUrl, storage, redis.url, `chaos:${schema}:`));
    const env = {
      TOLLGATE_CONFIG: file,
      BOUNDED_TOKEN: tokens.bounded,
      COUNTED_TOKEN: tokens.counted,
      FREE_TOKEN: tokens.free,
    };
    for (let i = 0; i < 2; i++)
      replicas.push(await startServeProcess({ cwd: dir, env, args: ["--config", file] }));

    started = performance.now();
    let running = true;
    let sequence = 0;
    const client = async () => {
      while (running) {
        const actor = actors[Math.floor(random() * actors.length)]!;
        const dialect: Dialect = random() < 0.5 ? "openai" : "anthropic";
        const replica = replicas[Math.floor(random() * replicas.length)]!;
        // Either provider from either dialect: pass-through and translated both.
        const provider = random() < 0.5 ? "compat" : "claude";
        const stream = random() < 0.5;
        const abandon = random() < 0.1;
        results.push(
          await send(replica.url, actor, dialect, provider, stream, abandon, `chaos-${schema}-${sequence++}`),
        );
      }
    };
    const slotChecks: ChaosReport["slotChecks"] = [];
    let redisStoppedAt = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < schedule.length; i++) {
      const phase = schedule[i]!;
      const until = (schedule[i + 1]?.at ?? 1) * options.durationMs;
      phases.push({ name: phase.name, atMs: elapsed() });
      options.log(`${(elapsed() / 1000).toFixed(1)}s ${phase.name} (${results.length} requests so far)`);
      if (phase.name === "redis down") redisStoppedAt = performance.now();
      await enter(phase.name, { upstream, redis, postgres, replicas });
      running = true;
      const clients = Array.from({ length: options.clients }, client);
      await sleep(Math.max(0, until - elapsed()));
      await leave(phase.name, { upstream, redis, postgres, replicas });
      // Every request of the phase ends; then no slot may be held (an abandoned one's end needs a moment).
      running = false;
      await Promise.all(clients);
      await sleep(300);
      const orphansPossible = performance.now() < redisStoppedAt + LEASE_MS;
      slotChecks.push({
        phase: phase.name,
        held: orphansPossible
          ? "skipped"
          : await Promise.all(replicas.map((replica) => inUse(replica.url, tokens.bounded))),
      });
    }
    phases.push({ name: "settle", atMs: elapsed() });
    options.log(`${(elapsed() / 1000).toFixed(1)}s traffic stopped after ${results.length} requests`);

    const exitCodes: (number | null)[] = [];
    for (const replica of replicas) exitCodes.push(await replica.stop("SIGTERM"));
    const usage = await usageRequestIds(base, schema);
    return judge({
      results,
      phases,
      mostHeldBounded: upstream.mostHeld("bounded", TEARDOWN_GRACE_MS),
      mostHeldBoundedRaw: upstream.mostHeld("bounded"),
      admittedCounted: upstream.receivedFor("counted"),
      slotChecks,
      exitCodes,
      usage,
    });
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop("SIGKILL").catch(() => null)));
    await upstream.close();
    await redis.remove();
    await postgres.close();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  }
}

interface Faults {
  upstream: ChaosUpstream;
  redis: OwnRedis;
  postgres: TcpFaultProxy;
  replicas: ServeProcess[];
}

async function enter(phase: string, faults: Faults): Promise<void> {
  if (phase === "upstream storm") faults.upstream.mood = "stormy";
  if (phase === "redis down") await faults.redis.stop();
  if (phase === "postgres down") {
    faults.postgres.setMode("refuse");
    faults.postgres.resetAll();
    // A reload while the store is away must not take the replica down.
    faults.replicas[0]?.child.kill("SIGHUP");
  }
}

async function leave(phase: string, faults: Faults): Promise<void> {
  if (phase === "upstream storm") faults.upstream.mood = "calm";
  if (phase === "redis down") await faults.redis.start();
  if (phase === "postgres down") faults.postgres.setMode("pass");
}

/** The slots the actor holds, as `/v1/limits` says; retried for a while (Redis may be reconnecting). */
async function inUse(base: string, bearer: string): Promise<number> {
  for (const deadline = Date.now() + 5_000; ; ) {
    const response = await fetch(`${base}/v1/limits`, { headers: { authorization: `Bearer ${bearer}` } });
    const body = (await response.json()) as { chat?: { concurrent?: { inUse: number } } };
    if (response.ok && body.chat?.concurrent !== undefined) return body.chat.concurrent.inUse;
    if (Date.now() > deadline) return Number.NaN;
    await sleep(200);
  }
}

async function usageRequestIds(base: string, schema: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    const rows = await client.query<{ request_id: string; n: string }>(
      `SELECT request_id, count(*) AS n FROM "${schema}".usage_events GROUP BY request_id`,
    );
    return new Map(rows.rows.map((row) => [row.request_id, Number(row.n)]));
  } finally {
    await client.end();
  }
}

function judge(input: {
  results: Result[];
  phases: ChaosReport["phases"];
  mostHeldBounded: number;
  mostHeldBoundedRaw: number;
  admittedCounted: number;
  slotChecks: ChaosReport["slotChecks"];
  exitCodes: (number | null)[];
  usage: Map<string, number>;
}): ChaosReport {
  const failures: string[] = [];
  const { results, usage } = input;
  const broken = results.filter(
    (r) => r.outcome === "hung" || r.outcome === "network" || r.outcome === "malformed",
  );
  if (broken.length > 0)
    failures.push(`${broken.length} requests hung, lost their connection or got a malformed answer`);
  const internal = results.filter((r) => r.status === 500);
  if (internal.length > 0) failures.push(`${internal.length} answers were 500 (the gateway's own failure)`);
  if (input.mostHeldBounded > CONCURRENT_LIMIT)
    failures.push(
      `the upstream held ${input.mostHeldBounded} requests of an actor limited to ${CONCURRENT_LIMIT}`,
    );
  if (input.admittedCounted > REQUEST_LIMIT)
    failures.push(`${input.admittedCounted} requests admitted for an actor limited to ${REQUEST_LIMIT}`);
  for (const { phase, held } of input.slotChecks) {
    if (held !== "skipped" && held.some((count) => count !== 0))
      failures.push(`concurrency slots still held after the ${phase} phase: ${held.join(", ")}`);
  }
  if (input.exitCodes.some((code) => code !== 0))
    failures.push(`replicas exited with ${input.exitCodes.join(", ")}`);
  // Every request the gateway answered has its event; an abandoned one may or may not have reached it.
  const missingUsage = results
    .filter((r) => r.status !== undefined && r.outcome !== "aborted" && !usage.has(r.requestId))
    .map((r) => r.requestId);
  const duplicateUsage = [...usage].filter(([, count]) => count > 1).map(([id]) => id);
  if (missingUsage.length > 0) failures.push(`${missingUsage.length} answered requests have no usage event`);
  if (duplicateUsage.length > 0)
    failures.push(`${duplicateUsage.length} requests have more than one usage event`);
  return {
    results,
    phases: input.phases,
    mostHeldBounded: input.mostHeldBounded,
    mostHeldBoundedRaw: input.mostHeldBoundedRaw,
    admittedCounted: input.admittedCounted,
    slotChecks: input.slotChecks,
    exitCodes: input.exitCodes,
    missingUsage,
    duplicateUsage,
    usageRows: [...usage.values()].reduce((sum, count) => sum + count, 0),
    failures,
  };
}
