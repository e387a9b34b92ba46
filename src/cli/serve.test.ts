import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig, Secret } from "../config/index.js";
import { createLogger } from "../telemetry/logger.js";
import type { CommandIO } from "./io.js";
import { redactError, reloadConfig } from "./serve.js";
import { startupFacts } from "./startup-summary.js";

const dir = mkdtempSync(join(tmpdir(), "tollgate-serve-"));

function capturedLogger() {
  let lines = "";
  const destination = {
    write(line: string) {
      lines += line;
    },
  };
  const logger = createLogger({ destination });
  return { logger, lines: () => lines };
}

const io: CommandIO = { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir };

describe("reloadConfig (SIGHUP)", () => {
  test("an invalid new configuration is logged by path without the password in its URL", async () => {
    const file = join(dir, "bad-url.jsonc");
    writeFileSync(
      file,
      `{ "modelConfiguration": { "sourcegraph": null, "providerOverrides": [{ "id": "local", "serverSideConfig":
         { "type": "openaicompatible", "endpoints": [{ "url": "http://user:hunter2@[bad-host/v1?api_key=hunter3" }] } }] } }`,
    );
    const { logger, lines } = capturedLogger();
    let reloaded = false;
    await reloadConfig({ kind: "file", path: file, foundBy: "--config" }, io, logger, {
      reload: async () => {
        reloaded = true;
      },
    });
    expect(reloaded).toBe(false);
    expect(lines()).toContain("the new configuration is invalid");
    expect(lines()).toContain("modelConfiguration.providerOverrides[0].serverSideConfig.endpoints[0].url");
    expect(lines()).toContain("http://user:<redacted>@[bad-host/v1?api_key=<redacted>");
    expect(lines()).not.toMatch(/hunter[23]/);
  });

  test("a reload that fails is logged redacted and does not reject (it ran unhandled before)", async () => {
    const file = join(dir, "good.jsonc");
    writeFileSync(file, "{}");
    const { logger, lines } = capturedLogger();
    const failing = {
      reload: async () => {
        throw new Error('storage.url "postgres://db/x?password=hunter2" is invalid', {
          cause: new Error("connect to redis://:hunter2@cache:6379 refused"),
        });
      },
    };
    await expect(
      reloadConfig({ kind: "file", path: file, foundBy: "--config" }, io, logger, failing),
    ).resolves.toBeUndefined();
    expect(lines()).toContain("reload failed; keeping the running configuration");
    expect(lines()).toContain("postgres://db/x?password=<redacted>");
    expect(lines()).not.toContain("hunter2");
  });
});

test("redactError keeps the error's class and redacts message, stack and cause", () => {
  class StoreLikeError extends Error {}
  const error = redactError(
    new StoreLikeError("at postgres://me:hunter2@db/x", { cause: "token=x&key=hunter2" }),
  ) as Error;
  expect(error).toBeInstanceOf(StoreLikeError);
  expect(error.message).toBe("at postgres://me:<redacted>@db/x");
  expect(error.stack).not.toContain("hunter2");
  expect(error.cause).toBe("token=x&key=<redacted>");
});

test("the startup summary shows the store and Redis without passwords or password parameters", () => {
  const result = loadConfig(
    JSON.stringify({
      storage: { url: "postgres://tollgate@db:5432/tollgate?password=hunter2" },
      redis: { url: "redis://default:hunter2@cache:6379" },
    }),
    { env: {} },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const facts = startupFacts("http://127.0.0.1:8080", "test", result, dir);
  expect(facts.store).toBe("postgres://tollgate@db:5432/tollgate?password=<redacted>");
  expect(facts.limits).toBe("Redis redis://default:<redacted>@cache:6379 (prefix tollgate:)");
});

test("the startup summary shows a provider served by a central key set through the admin API as ready", () => {
  const result = loadConfig(
    JSON.stringify({
      modelConfiguration: {
        sourcegraph: null,
        providerOverrides: [{ id: "acme", serverSideConfig: { type: "openai", accessToken: "" } }],
      },
    }),
    { env: {} },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const provider = result.catalogue.provider("acme")!;
  const credential = { key: new Secret("sk-stored"), mode: "config-key" as const, origin: "stored" as const };
  const stored = {
    hasStoredCentralKey: (id: string) => id === "acme",
    central: () => ({ credential }),
  };
  expect(startupFacts("u", "t", result, dir).providers[0]).toMatchObject({ available: false });
  expect(startupFacts("u", "t", result, dir, stored).providers[0]).toEqual({
    id: provider.id,
    type: "openai",
    credentials: "config-key (set through the admin API)",
    available: true,
  });
});
