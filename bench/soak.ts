// Soak mode: a moderate fixed load (non-streaming chat plus two clients streaming back to back) for a long
// time, sampling the target's RSS every interval, to catch leaks.
import { OPENAI_MODEL } from "./gateway-config.js";
import { shapeMock, type Target, targetRequest } from "./harness.js";
import { runRate, runStreams } from "./load.js";
import { openaiChat } from "./payloads.js";
import { cpuSeconds, memory } from "./processes.js";
import type { Soak, SoakSample } from "./report.js";
import type { Bench } from "./scenarios.js";

/** The share of a soak that counts as warm-up for the growth verdict. */
export const WARM_UP_SHARE = 0.1;

/** RSS sampled every second through an interval; its median is less sensitive to when GC last ran. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? Number.NaN) * 10) / 10;
}

/**
 * RSS growth over a soak. The heap grows to its working set over the first minutes (V8 sizes its
 * spaces, pools fill); a leak is growth after that, so the verdict starts from the first sample at
 * or past the warm-up share of the run. Growth from the first sample is reported beside it.
 */
export function soakGrowth(
  samples: readonly SoakSample[],
  durationS: number,
): { warmUpS: number; growthPercent: number; growthFromStartPercent: number } {
  const growth = (from: number, to: number) => Math.round(((to - from) / from) * 1000) / 10;
  const first = samples[0]?.rssMb ?? Number.NaN;
  const last = samples.at(-1)?.rssMb ?? Number.NaN;
  const settled = samples.find((sample) => sample.atS >= durationS * WARM_UP_SHARE) ?? samples[0];
  return {
    warmUpS: settled?.atS ?? 0,
    growthPercent: growth(settled?.rssMb ?? Number.NaN, last),
    growthFromStartPercent: growth(first, last),
  };
}

export async function runSoak(
  bench: Bench,
  target: Target,
  options: { durationS: number; intervalS: number; rate: number | undefined },
): Promise<Soak> {
  const req = targetRequest(target, "/v1/chat/completions", openaiChat(OPENAI_MODEL, false));
  const streamReq = targetRequest(target, "/v1/chat/completions", openaiChat(OPENAI_MODEL, true));
  await shapeMock(bench.mockOrigin, 50, 0);
  let offeredRate = options.rate;
  if (!offeredRate) {
    const probe = await runRate(req, { connections: bench.options.connections, durationS: 3 });
    offeredRate = Math.max(1, Math.round(probe.rps / 2));
  }
  bench.log(
    `soak: ${target.name} for ${options.durationS} s at ${offeredRate} req/s, RSS every ${options.intervalS} s`,
  );
  let streaming = true;
  let streamsFailed = 0;
  const streamer = (async () => {
    while (streaming) {
      const r = await runStreams(streamReq, "[DONE]", { sequential: 0, concurrency: 2, perWorker: 5 });
      streamsFailed += r.concurrent.failed;
      // Streams that fail at once must not turn this loop into a busy one.
      if (r.concurrent.failed > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();
  const pid = target.child?.pid ?? bench.mock.pid;
  const samples: SoakSample[] = [];
  const start = Date.now();
  try {
    while ((Date.now() - start) / 1000 < options.durationS) {
      const remaining = options.durationS - (Date.now() - start) / 1000;
      const cpu0 = cpuSeconds(pid);
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(memory(pid).rssMb), 1_000);
      const r = await runRate(req, {
        connections: bench.options.connections,
        durationS: Math.max(1, Math.round(Math.min(options.intervalS, remaining))),
        overallRate: offeredRate,
      });
      clearInterval(sampler);
      const sample: SoakSample = {
        atS: Math.round((Date.now() - start) / 1000),
        rssMb: median(rss.length > 0 ? rss : [memory(pid).rssMb]),
        rssMaxMb: Math.round(Math.max(memory(pid).rssMb, ...rss) * 10) / 10,
        rps: r.rps,
        p99Ms: r.latencyMs.p99,
        cpuUsPerRequest: Math.round(((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, r.requests)),
        streamsFailed,
      };
      samples.push(sample);
      bench.log(`  ${sample.atS} s: RSS ${sample.rssMb} MB, ${sample.rps} req/s, p99 ${sample.p99Ms} ms`);
    }
  } finally {
    streaming = false;
    await streamer;
  }
  return {
    target: target.name,
    durationS: options.durationS,
    offeredRate,
    samples,
    ...soakGrowth(samples, options.durationS),
  };
}
