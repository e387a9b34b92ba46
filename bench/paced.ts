// A fixed-rate (open-loop) load generator. autocannon's `overallRate` is not one: each connection sends its
// per-second quota back to back and then waits for the next one-second tick (autocannon 9,
// lib/httpClient.js), so "half the peak rate" is really full speed for half of every second. This client
// spreads requests evenly: every millisecond or so it sends whatever the schedule says is due.
import { Pool } from "undici";
import { percentiles, type RateResult, type Request } from "./load.js";

export async function runPaced(
  request: Request,
  options: { rate: number; durationS: number; connections: number },
): Promise<RateResult> {
  const pool = new Pool(request.origin, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const one = async (): Promise<void> => {
    const start = performance.now();
    try {
      const res = await pool.request({
        method: "POST",
        path: request.path,
        headers: request.headers,
        body: request.body,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - start);
      else non2xx++;
    } catch {
      errors++;
    }
  };
  const begin = performance.now();
  const end = begin + options.durationS * 1000;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.floor(((Math.min(now, end) - begin) / 1000) * options.rate);
      while (sent < due) {
        sent++;
        const p = one().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (now >= end) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - begin) / 1000;
  await pool.destroy();
  return {
    requests: latencies.length,
    durationS: Math.round(elapsedS * 100) / 100,
    rps: Math.round(latencies.length / options.durationS),
    latencyMs: percentiles(latencies),
    errors,
    non2xx,
  };
}
