#!/usr/bin/env node
import cluster from "node:cluster";
import { main } from "./commands.js";
import { exitCode, processIO } from "./io.js";
import { holdSignals } from "./serve-held-signals.js";

// A worker of `serve --workers N` has no handlers yet: a signal from its primary (or a terminal's Ctrl-C)
// must not kill it while it starts.
if (cluster.isWorker) holdSignals();

main(process.argv.slice(2), processIO())
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tollgate: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = exitCode.failed;
    },
  )
  .finally(() => {
    // A worker's channel to its primary keeps it alive: one whose start failed (a config made invalid since)
    // would hang there, never replaced. Log lines still buffered are written on exit.
    if (cluster.isWorker) process.exit();
  });
