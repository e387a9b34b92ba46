import { execFile } from "node:child_process";

/** A health check's `node -e <script>` words, as the Dockerfile's HEALTHCHECK or a compose `test` lists them. */
export function nodeScriptOf(words: readonly string[]): string {
  const command = words[0] === "CMD" ? words.slice(1) : words;
  if (command.length !== 3 || command[0] !== "node" || command[1] !== "-e")
    throw new Error(`not a node -e health check: ${JSON.stringify(words)}`);
  return command[2]!;
}

// Stands in for fetch: prints the URL asked and answers 200, so the script's exit path runs too.
const recordingFetch = `data:text/javascript,${encodeURIComponent(
  "globalThis.fetch = async (url) => { process.stdout.write(String(url)); return { ok: true, status: 200 }; };",
)}`;

/**
 * Runs a health check's script with this Node and only `env` (and PATH) in its environment, as the container
 * would; with `recordUrl`, fetch only reports the URL it was asked for.
 */
export function runHealthcheck(
  script: string,
  env: Readonly<Record<string, string>>,
  options: { recordUrl?: boolean } = {},
): Promise<{ code: number; stdout: string }> {
  const args = [...(options.recordUrl ? [`--import=${recordingFetch}`] : []), "-e", script];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 10_000 },
      (error, stdout) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout });
      },
    );
  });
}
