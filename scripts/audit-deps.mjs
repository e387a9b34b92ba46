// `node scripts/audit-deps.mjs`: fails when a runtime dependency has a high or critical advisory
// (`npm audit --omit=dev`). When the registry's advisory endpoint cannot be reached (a mirror or proxy that
// refuses it, as some answer 405, or no network), nothing could be checked: that is said loudly and the step
// passes, because it is a fact about the machine, not about the dependencies.
import { spawnSync } from "node:child_process";

const run = spawnSync("npm", ["audit", "--omit=dev", "--json"], {
  encoding: "utf8",
  shell: process.platform === "win32",
});
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (counts === undefined) {
  const reason =
    report?.message ?? (run.stderr.trim().split("\n").at(-1) || `npm audit exited with ${run.status}`);
  console.warn(`WARNING: npm audit could not check the dependencies here: ${reason}`);
  process.exit(0);
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(
  `npm audit --omit=dev: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low`,
);
if (serious > 0) {
  for (const [name, entry] of Object.entries(report.vulnerabilities ?? {})) {
    if (entry.severity === "high" || entry.severity === "critical")
      console.error(`  ${entry.severity}: ${name} (${entry.range})`);
  }
  process.exit(1);
}
