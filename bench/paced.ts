// A fixed-rate (open-loop) load generator. autocannon's `overallRate` is not one: each connection sends its
// per-second quota back to back and then waits for the next one-second tick (autocannon 9,
// lib/httpClient.js), so "half the peak rate" is really full speed for half of every second. This client
// spreads requests evenly: every millisecond or so it sends whatever the schedule says is due. It uses
// undici's low-level dispatch API, which costs the shared CPU much less than `request()` streams.
import { Pool } from "undici";
import { percentiles, type RateResult, type Request } from "./load.js";

export async function runPaced(
  request: Request,
  options: { rate: number; durationS: number; connections: number },
): Promise<RateResult> {
  const pool = new Pool(request.origin, { connections: options.connections, pipelining: 1 });
  const body = Buffer.from(request.body);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  let inFlight = 0;
  const one = (): void => {
    const start = performance.now();
    let status = 0;
    inFlight++;
    pool.dispatch(
      { origin: request.origin, method: "POST", path: request.path, headers: request.headers, body },
      {
        onRequestStart: () => undefined,
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseData: () => undefined,
        onResponseEnd: () => {
          inFlight--;
          if (status >= 200 && status < 300) latencies.push(performance.now() - start);
          else non2xx++;
        },
        onResponseError: () => {
          inFlight--;
          errors++;
        },
      },
    );
  };
  const begin = performance.now();
  const end = begin + options.durationS * 1000;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.floor(((Math.min(now, end) - begin) / 1000) * options.rate);
      while (sent < due) {
        sent++;
        one();
      }
      if (now >= end) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const drainBy = performance.now() + 15_000;
  while (inFlight > 0 && performance.now() < drainBy) await new Promise((resolve) => setTimeout(resolve, 5));
  const elapsedS = (performance.now() - begin) / 1000;
  await pool.destroy();
  return {
    requests: latencies.length,
    durationS: Math.round(elapsedS * 100) / 100,
    rps: Math.round(latencies.length / options.durationS),
    latencyMs: percentiles(latencies),
    errors: errors + inFlight,
    non2xx,
  };
}
