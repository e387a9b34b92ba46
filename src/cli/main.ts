#!/usr/bin/env node
import { main } from "./commands.js";
import { exitCode, processIO } from "./io.js";

main(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tollgate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCode.failed;
  },
);
