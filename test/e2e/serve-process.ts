import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the built `tollgate serve` on a free port and waits until it listens. */
export async function startServeProcess(options: {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** Where the listening URL shows up (default: the JSON "tollgate listening" line on standard output). */
  ready?: { stream: "stdout" | "stderr"; pattern: RegExp };
}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [main, "serve", "--port", "0", ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}\n${err}`)), 15_000);
    const ready = options.ready ?? { stream: "stdout", pattern: /"url":"(http:\/\/[^"]+)"/ };
    const check = () => {
      const match = ready.pattern.exec(ready.stream === "stdout" ? out : err);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child[ready.stream]!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}\n${err}`));
    });
  });
  return {
    child,
    url,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
