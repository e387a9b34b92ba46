// The `chat-max-workers` scenario: what `tollgate serve --workers N` buys on this machine. The gateway with
// limits in Redis runs once as one process and once as N workers (node:cluster, one port); each round
// measures the bare proxy, one process and N workers back to back at maximum rate, as chat-max does.
import { OPENAI_MODEL, redisPrefix } from "./gateway-config.js";
import { startGateway, type Target, targetRequest, warmUp } from "./harness.js";
import { runRate } from "./load.js";
import { openaiChat } from "./payloads.js";
import { stopChild } from "./processes.js";
import { type Bench, rateScenario } from "./scenarios.js";
import { WORKERS_SCENARIO } from "./workers-report.js";

/** Runs the scenario; returns the Redis key prefix both gateways used, for the caller to delete. */
export async function workersScenario(bench: Bench, rounds: number, workers: number): Promise<string> {
  // Only the two gateways measured here run: the in-memory one stops (as for the Redis variant).
  const memoryGateway = bench.targets.find((t) => t.name === "tollgate");
  if (memoryGateway?.child) {
    await stopChild(memoryGateway.child);
    memoryGateway.child = undefined;
    memoryGateway.notReady ??= "stopped for the workers variant";
  }
  const prefix = redisPrefix();
  bench.log(`${WORKERS_SCENARIO}: the gateway with limits in Redis, one process and --workers ${workers}`);
  const single = await startGateway(bench.mockOrigin, { redisPrefix: prefix });
  const many = await startGateway(bench.mockOrigin, { redisPrefix: prefix, workers });
  const bare = bench.targets.find((t) => t.name === "bare");
  const measured = [bare, single, many].filter((t): t is Target => t !== undefined);
  try {
    // The long warm-up (rateScenario's, once per target) is spread over the workers: give each as many.
    const req = targetRequest(many, "/v1/chat/completions", openaiChat(OPENAI_MODEL, false));
    if (!many.notReady && workers > 1 && !(await warmUp(req))) {
      const amount = bench.options.warmupRequests * (workers - 1);
      bench.log(`  ${many.name}: warming up its ${workers} workers with ${amount} more requests`);
      await runRate(req, { connections: 10, durationS: 120, amount });
    }
    for (let round = 1; round <= rounds; round++) {
      await rateScenario(bench, WORKERS_SCENARIO, measured, undefined, rounds > 1 ? round : undefined);
    }
  } finally {
    for (const gateway of [single, many]) if (gateway.child) await stopChild(gateway.child);
  }
  return prefix;
}
