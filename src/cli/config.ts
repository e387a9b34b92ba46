import { runConfigCheck } from "./config-check.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";

const help = `Usage: tollgate config check [FILE] [--json]

Validates a config file (default: $TOLLGATE_CONFIG, else ./tollgate.jsonc, else the embedded default).
`;

/** `tollgate config <subcommand>`; `check` is the only one. */
export async function runConfig(args: string[], io: CommandIO): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === "--help" || subcommand === "-h") {
    io.stdout(help);
    return subcommand === undefined ? exitCode.usage : exitCode.ok;
  }
  if (subcommand !== "check")
    throw new UsageError(`unknown subcommand \`${subcommand}\`; did you mean \`check\`?`);
  return runConfigCheck(rest, {
    stdout: { write: io.stdout },
    stderr: { write: io.stderr },
    env: io.env,
    cwd: io.cwd,
  });
}
