// Preloaded (`node --import bench/probe.ts …`) into every benchmarked child, the gateway included, so the
// harness can read a process's event-loop delay without that process exposing a metric for it. It talks
// over the IPC channel the harness opens and never keeps the process alive on its own.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";

interface ProbeRequest {
  type: "probe-reset" | "probe-read";
  id?: number;
}

if (typeof process.send === "function") {
  const resolutionMs = 10;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  let eluStart = performance.eventLoopUtilization();
  // The histogram holds the time between timer ticks, so an idle loop reads ~resolution: subtract it.
  const ms = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - resolutionMs) * 100) / 100);

  process.on("message", (message: ProbeRequest) => {
    if (message?.type === "probe-reset") {
      histogram.reset();
      eluStart = performance.eventLoopUtilization();
    } else if (message?.type === "probe-read") {
      const elu = performance.eventLoopUtilization(eluStart);
      process.send?.({
        type: "probe",
        id: message.id,
        eventLoopDelay: {
          p50: ms(histogram.percentile(50)),
          p99: ms(histogram.percentile(99)),
          max: ms(histogram.max),
          mean: ms(histogram.mean),
        },
        eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
      });
    }
  });
  // The 'message' listener would otherwise keep the gateway running after its own shutdown.
  process.channel?.unref();
}
