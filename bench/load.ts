// Load generation, in the runner's own process (so it competes with the children for the machine's cores):
// autocannon for request rates, a small undici client for streams (autocannon does not measure time to
// first byte), a stream holder for the concurrency test, and a /healthz prober.
import autocannon from "autocannon";
import { Pool } from "undici";

export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: Number.NaN, p99: Number.NaN, p999: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return { p50: round(at(0.5)), p99: round(at(0.99)), p999: round(at(0.999)), max: round(at(1)) };
}

export interface Request {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface RateResult {
  requests: number;
  durationS: number;
  rps: number;
  latencyMs: Percentiles;
  errors: number;
  non2xx: number;
}

/** Max rate with `connections`, or a fixed `overallRate`. Latencies are recorded at µs resolution here
 * (autocannon's own histogram keeps whole milliseconds), from the response events, without
 * coordinated-omission correction. */
export async function runRate(
  request: Request,
  options: { connections: number; durationS: number; overallRate?: number; amount?: number },
): Promise<RateResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: request.origin + request.path,
    method: "POST",
    headers: request.headers,
    body: request.body,
    connections: options.connections,
    duration: options.durationS,
    timeout: 10,
    // With an amount, autocannon stops after that many requests (duration is then ignored).
    ...(options.amount ? { amount: options.amount } : {}),
    ...(options.overallRate ? { overallRate: Math.max(1, Math.round(options.overallRate)) } : {}),
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  const ok = latencies.length;
  return {
    requests: ok,
    durationS: result.duration,
    rps: Math.round(ok / result.duration),
    latencyMs: percentiles(latencies),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export interface StreamStats {
  requests: number;
  failed: number;
  firstError?: string;
  ttfbMs: Percentiles;
  totalMs: Percentiles;
}

interface OneStream {
  ok: boolean;
  ttfb: number;
  total: number;
  error?: string;
}

/** One streamed request: time to the first body byte, and to the end; ok if the stream ended with `terminator`. */
async function oneStream(
  pool: Pool,
  request: Request,
  terminator: string,
  signal?: AbortSignal,
): Promise<OneStream> {
  const start = performance.now();
  let ttfb = Number.NaN;
  let tail = "";
  try {
    const res = await pool.request({
      method: "POST",
      path: request.path,
      headers: request.headers,
      body: request.body,
      ...(signal ? { signal } : {}),
    });
    for await (const chunk of res.body) {
      if (Number.isNaN(ttfb)) ttfb = performance.now() - start;
      tail = (tail + (chunk as Buffer).toString("latin1")).slice(-256);
    }
    const total = performance.now() - start;
    if (res.statusCode !== 200)
      return { ok: false, ttfb, total, error: `${res.statusCode} ${tail.slice(0, 160)}` };
    if (!tail.includes(terminator))
      return { ok: false, ttfb, total, error: `stream ended without ${terminator}` };
    return { ok: true, ttfb, total };
  } catch (error) {
    return { ok: false, ttfb, total: performance.now() - start, error: (error as Error).message };
  }
}

function summarise(results: OneStream[]): StreamStats {
  const ok = results.filter((r) => r.ok);
  const failed = results.filter((r) => !r.ok);
  return {
    requests: ok.length,
    failed: failed.length,
    ...(failed[0]?.error ? { firstError: failed[0].error } : {}),
    ttfbMs: percentiles(ok.map((r) => r.ttfb)),
    totalMs: percentiles(ok.map((r) => r.total)),
  };
}

/** `sequential` streams one after another, then `concurrency` workers doing `perWorker` streams each. */
export async function runStreams(
  request: Request,
  terminator: string,
  options: { sequential: number; concurrency: number; perWorker: number },
): Promise<{ sequential: StreamStats; concurrent: StreamStats }> {
  const pool = new Pool(request.origin, { connections: options.concurrency, pipelining: 1 });
  try {
    const sequential: OneStream[] = [];
    for (let i = 0; i < options.sequential; i++) sequential.push(await oneStream(pool, request, terminator));
    const concurrent: OneStream[] = [];
    const worker = async (): Promise<void> => {
      for (let i = 0; i < options.perWorker; i++) concurrent.push(await oneStream(pool, request, terminator));
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    return { sequential: summarise(sequential), concurrent: summarise(concurrent) };
  } finally {
    await pool.destroy();
  }
}

export interface HoldStats {
  target: number;
  opened: number;
  /** Streams still open (first byte seen, not ended) at the end of the hold. */
  heldAtEnd: number;
  failed: number;
  firstError?: string;
  ttfbMs: Percentiles;
}

/** Opens `count` slow streams (ramping up), holds them `holdS` seconds after the ramp, then aborts the rest. */
export async function holdStreams(
  request: Request,
  options: { count: number; holdS: number; rampPerSecond: number; onRamped?: () => void },
): Promise<HoldStats> {
  const pool = new Pool(request.origin, { connections: options.count, pipelining: 1 });
  const abort = new AbortController();
  let open = 0;
  let opened = 0;
  const ttfbs: number[] = [];
  const errors: string[] = [];
  const one = async (): Promise<void> => {
    const start = performance.now();
    try {
      const res = await pool.request({
        method: "POST",
        path: request.path,
        headers: request.headers,
        body: request.body,
        signal: abort.signal,
      });
      if (res.statusCode !== 200) {
        const text = await res.body.text();
        throw new Error(`${res.statusCode} ${text.slice(0, 160)}`);
      }
      let first = true;
      for await (const _chunk of res.body) {
        if (first) {
          first = false;
          ttfbs.push(performance.now() - start);
          opened++;
          open++;
        }
      }
      if (!first) open--;
    } catch (error) {
      if (!abort.signal.aborted) errors.push((error as Error).message);
    }
  };
  const running: Promise<void>[] = [];
  const batch = Math.max(1, Math.round(options.rampPerSecond / 10));
  for (let i = 0; i < options.count; i += batch) {
    for (let j = i; j < Math.min(options.count, i + batch); j++) running.push(one());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  options.onRamped?.();
  await new Promise((resolve) => setTimeout(resolve, options.holdS * 1000));
  const heldAtEnd = open;
  abort.abort();
  await Promise.allSettled(running);
  await pool.destroy().catch(() => undefined);
  return {
    target: options.count,
    opened,
    heldAtEnd,
    failed: errors.length,
    ...(errors[0] ? { firstError: errors[0] } : {}),
    ttfbMs: percentiles(ttfbs),
  };
}

/** GET /healthz every `intervalMs` on its own connection; stop() gives the latency percentiles. */
export function probeHealth(
  origin: string,
  intervalMs = 100,
): { stop: () => Promise<Percentiles & { failed: number }> } {
  const pool = new Pool(origin, { connections: 1 });
  const latencies: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      try {
        const res = await pool.request({ method: "GET", path: "/healthz" });
        await res.body.dump();
        if (res.statusCode === 200) latencies.push(performance.now() - start);
        else failed++;
      } catch {
        failed++;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await pool.destroy();
      return { ...percentiles(latencies), failed };
    },
  };
}
