import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { createLogger } from "../telemetry/logger.js";
import { main } from "./commands.js";
import type { CommandIO } from "./io.js";
import { holdSignals } from "./serve-held-signals.js";
import { serveSignals } from "./serve-signals.js";
import { parseWorkerCount } from "./serve-workers.js";

const dir = mkdtempSync(join(tmpdir(), "tollgate-serve-workers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `tollgate serve` in-process, in a directory of its own; only the usage errors (nothing may start). */
async function serve(args: string[], files: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(dir, "run-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  let stderr = "";
  const io: CommandIO = {
    stdout: () => {},
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    cwd,
  };
  const code = await main(["serve", ...args], io);
  return { code, stderr, startedSomething: existsSync(join(cwd, ".tollgate")) };
}

const minimal = (extra: object) =>
  JSON.stringify({
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [],
      modelOverrides: [],
      defaultModels: { chat: "", fastChat: "", codeCompletion: "" },
    },
    ...extra,
  });

describe("serve --workers", () => {
  test("takes a number of processes or auto", () => {
    expect(parseWorkerCount(undefined)).toBe(1);
    expect(parseWorkerCount("1")).toBe(1);
    expect(parseWorkerCount("8")).toBe(8);
    expect(parseWorkerCount("auto")).toBe(availableParallelism());
  });

  test.each(["0", "abc", "-1", "1.5", "2x", ""])(
    "refuses `%s` with a usage error (exit 2)",
    async (value) => {
      const result = await serve([`--workers=${value}`]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `--workers must be a number of processes (1 or more) or \`auto\`, got \`${value}\``,
      );
      expect(result.startedSomething).toBe(false);
    },
  );

  test("more than one without Redis is a usage error naming --workers and redis.url, on the embedded default too", async () => {
    const embedded = await serve(["--workers", "2"]);
    expect(embedded).toEqual({
      code: 2,
      stderr:
        "tollgate serve: --workers 2 needs Redis so that limits stay exact across the workers; the embedded default has none: use a config file that sets redis.url, or run --workers 1\n",
      startedSomething: false,
    });

    const file = await serve(["--workers", "3"], { "tollgate.jsonc": minimal({}) });
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(
      /--workers 3 needs Redis so that limits stay exact across the workers; set redis\.url in .*tollgate\.jsonc/,
    );
    expect(file.startedSomething).toBe(false);
  });

  test("more than one on sqlite::memory: is a usage error: each process would have its own store", async () => {
    const result = await serve(["--workers", "2"], {
      "tollgate.jsonc": minimal({
        storage: { url: "sqlite::memory:" },
        redis: { url: "redis://127.0.0.1:6379" },
      }),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--workers 2 needs a store the workers share: storage.url sqlite::memory: is private to each process",
    );
  });
});

describe("a worker's signals while it starts", () => {
  const signals = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
  let before = new Map<string, unknown[]>();
  beforeEach(() => {
    before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  });
  afterEach(() => {
    // This test process keeps its own handlers only.
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.includes(listener)) process.off(signal, listener);
      }
    }
  });

  test("held from its first line (a Ctrl-C's SIGINT, a SIGHUP), they are acted on once its handlers take over", async () => {
    holdSignals();
    process.emit("SIGINT", "SIGINT");
    process.emit("SIGTERM", "SIGTERM");
    process.emit("SIGHUP", "SIGHUP");
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      destination: {
        write(line: string) {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
    const io: CommandIO = { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir };
    const handlers = serveSignals({ kind: "embedded" }, io, logger);
    // Stopped before it listened: nothing to drain, it exits at once.
    expect(await handlers.stoppedWhileStarting).toBe(0);
    expect(lines.map(({ msg, signal, beforeListening }) => ({ msg, signal, beforeListening }))).toEqual([
      { msg: "shutting down", signal: "SIGINT", beforeListening: true },
      {
        msg: "SIGHUP: no config file to reload (running on the embedded default)",
        signal: undefined,
        beforeListening: undefined,
      },
    ]);
    // No longer held: the handlers installed by serveSignals are the only ones added.
    for (const signal of signals)
      expect(process.listeners(signal)).toHaveLength(before.get(signal)!.length + 1);
  });
});
