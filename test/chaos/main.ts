/**
 * `npm run chaos [-- --seconds N --clients N --seed N]`: minutes of mixed traffic across two replicas while
 * the upstream, Redis and Postgres misbehave, then a report and its checks (exit 1 when one fails).
 */
import { parseArgs } from "node:util";
import { runChaos } from "./chaos-run.js";
import { formatReport } from "./report.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "180" },
    clients: { type: "string", default: "16" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
  },
});
const durationMs = Number(values.seconds) * 1000;
const seed = Number(values.seed);
console.log(`chaos: ${values.seconds} s, ${values.clients} clients, seed ${seed}`);
const report = await runChaos({
  durationMs,
  clients: Number(values.clients),
  seed,
  log: (line) => console.log(line),
});
console.log(formatReport(report, durationMs));
process.exitCode = report.failures.length === 0 ? 0 : 1;
