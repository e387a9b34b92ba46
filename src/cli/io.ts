/** What a command needs from its process, so tests can run commands in-process. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard output is a terminal (a person reads it, not a log collector). */
  isTTY?: boolean;
}

export function processIO(): CommandIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  };
}

/** Exit codes (DESIGN §3): 0 success, 1 invalid input or failed check, 2 usage error. */
export const exitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage mistake (unknown flag, missing argument): reported with exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
