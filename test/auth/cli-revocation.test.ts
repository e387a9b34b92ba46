import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { ActorDirectory } from "../../src/auth/actor-directory.js";
import { openStore } from "../../src/store/index.js";
import { section } from "./directory-conformance.js";
import { testRedis, within } from "./redis.js";

const cli = fileURLToPath(new URL("./run-tokens-cli.mjs", import.meta.url));
const exec = promisify(execFile);

/** `tollgate tokens …` in a process of its own, like an operator next to a running gateway. */
async function tokens(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await exec(
    process.execPath,
    ["--experimental-transform-types", "--no-warnings", cli, ...args],
    {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    },
  );
  return stdout;
}

describe("a CLI process revokes while a gateway runs (SQLite)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function running(options: { redis?: ReturnType<typeof testRedis>; pollIntervalMs?: number } = {}) {
    const cwd = await mkdtemp(join(tmpdir(), "tollgate-cli-revoke-"));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    const redisPart = options.redis
      ? `, "redis": { "url": "redis://127.0.0.1:6379", "keyPrefix": "${options.redis.keyPrefix}" }`
      : "";
    await writeFile(
      join(cwd, "tollgate.jsonc"),
      `{ "storage": { "url": "sqlite:state/tollgate.db" }, "modelConfiguration": { "sourcegraph": null }${redisPart} }`,
    );
    const created = JSON.parse(
      await tokens(cwd, ["create", "--name", "dev", "--json", "--config", "tollgate.jsonc"]),
    ) as {
      id: string;
      token: string;
    };
    const store = await openStore("sqlite:state/tollgate.db", { baseDir: cwd });
    cleanups.push(() => store.close());
    const directory = new ActorDirectory({
      store,
      actors: section(),
      redis: options.redis,
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    });
    await directory.start();
    cleanups.push(() => directory.close());
    expect(directory.authenticate(created.token)).toMatchObject({ actorId: "dev" });
    return { cwd, created, directory };
  }

  it("the directory refuses the token within a second (revision poll)", async () => {
    const { cwd, created, directory } = await running();
    expect(await tokens(cwd, ["revoke", created.id, "--config", "tollgate.jsonc"])).toBe(
      `Revoked token ${created.id}.\n`,
    );
    const elapsed = await within(1_000, () => directory.authenticate(created.token) instanceof Promise);
    expect(elapsed).toBeLessThan(1_000);
    expect(await directory.authenticate(created.token)).toBeUndefined();
  });

  it("with Redis in the config, the CLI's announcement takes effect without the poll", async () => {
    const redis = testRedis();
    cleanups.push(() => redis.cleanup());
    const { cwd, created, directory } = await running({ redis, pollIntervalMs: 60_000 });
    await tokens(cwd, ["revoke", created.id, "--config", "tollgate.jsonc"]);
    await within(500, () => directory.authenticate(created.token) instanceof Promise);
    expect(await directory.authenticate(created.token)).toBeUndefined();
  });
});
