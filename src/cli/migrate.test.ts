import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../../test/store/postgres.js";
import { migrations } from "../store/index.js";
import type { CommandIO } from "./io.js";
import { migrateStore, runMigrate } from "./migrate.js";

const directories: string[] = [];
const schemas: string[] = [];

afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  await dropSchemas(schemas);
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const directory = cwd ?? (await mkdtemp(join(tmpdir(), "tollgate-migrate-")));
  directories.push(directory);
  let stdout = "";
  let stderr = "";
  const io: CommandIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    cwd: directory,
  };
  const code = await runMigrate(args, io);
  return { code, stdout, stderr, directory };
}

const everyMigration = migrations
  .map(({ id, name }) => `applied ${String(id).padStart(3, "0")}-${name}\n`)
  .join("");
const version = String(migrations.length).padStart(3, "0");

describe("tollgate migrate", () => {
  it("migrates the store named by --config, and reports an invalid config with exit 1", async () => {
    const directory = await mkdtemp(join(tmpdir(), "tollgate-migrate-"));
    await writeFile(join(directory, "tollgate.jsonc"), '{ "storage": { "url": "sqlite:data/gateway.db" } }');
    const result = await run(["--config", "tollgate.jsonc"], {}, directory);
    expect(result).toMatchObject({
      code: 0,
      stderr: `tollgate migrate: config ${join(directory, "tollgate.jsonc")} (from --config)\n`,
    });
    expect(result.stdout).toContain(`sqlite:${join(directory, "data/gateway.db")} up to date`);
    // Found in the working directory without naming it, as every command does.
    const found = await run([], {}, directory);
    expect(found.stderr).toContain("(found in the working directory)");
    expect(found.stdout).toContain(`sqlite:${join(directory, "data/gateway.db")} already up to date`);
    await stat(join(directory, "data", "gateway.db"));
    await writeFile(join(directory, "bad.jsonc"), '{ "storage": { "ulr": "x" } }');
    const bad = await run(["--config", "bad.jsonc"], {}, directory);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("storage.ulr");
  });

  it("migrates the embedded default store in the working directory, then reports it up to date", async () => {
    const first = await run([]);
    expect(first).toMatchObject({
      code: 0,
      stderr:
        "tollgate migrate: config the embedded default (no --config, TOLLGATE_CONFIG or ./tollgate.jsonc)\n",
    });
    const db = join(first.directory, ".tollgate/tollgate.db");
    expect(first.stdout).toBe(`${everyMigration}sqlite store sqlite:${db} up to date (version ${version})\n`);
    expect((await stat(join(first.directory, ".tollgate", "tollgate.db"))).mode & 0o777).toBe(0o600);

    const second = await run([], {}, first.directory);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`sqlite store sqlite:${db} already up to date (version ${version})\n`);
  });

  it("takes --storage over TOLLGATE_STORAGE_URL, and the variable over the default", async () => {
    const fromFlag = await run(["--storage", "sqlite:flag.db"], { TOLLGATE_STORAGE_URL: "sqlite:env.db" });
    expect(fromFlag.stdout).toContain(
      `sqlite store sqlite:${join(fromFlag.directory, "flag.db")} up to date`,
    );
    const fromEquals = await run(["--storage=sqlite:equals.db"]);
    expect(fromEquals.stdout).toContain(`sqlite:${join(fromEquals.directory, "equals.db")} up to date`);
    const fromEnv = await run([], { TOLLGATE_STORAGE_URL: "sqlite:env.db" });
    expect(fromEnv.stdout).toContain(`sqlite:${join(fromEnv.directory, "env.db")} up to date`);
  });

  it("migrates a Postgres store, printing its URL without the password", async () => {
    const schema = randomSchemaName();
    schemas.push(schema);
    const url = new URL(withSchema(await postgresUrl(), schema));
    url.password = "not-needed-with-trust";
    const result = await run(["--storage", url.toString()]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain(everyMigration);
    expect(result.stdout).toContain(":***@");
    expect(result.stdout).not.toContain("not-needed-with-trust");
  });

  it("fails with exit 1 and a message naming storage.url for a bad URL", async () => {
    const result = await run(["--storage", "mysql://me:pw1234@db/x"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'tollgate migrate: storage.url "mysql://me:***@db/x" is invalid: "mysql:" is not supported; ' +
        "use sqlite:PATH or postgres://user@host:5432/database\n",
    );
  });

  it("fails with exit 1, without the password, when Postgres is unreachable", async () => {
    const result = await run(["--storage", "postgres://me:pw1234secret@127.0.0.1:1/test"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^tollgate migrate: Cannot use the Postgres store at storage\.url "postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/test": .*ECONNREFUSED/,
    );
    expect(result.stderr).not.toContain("pw1234secret");
  });

  it("answers --help with 0 and usage mistakes with 2", async () => {
    expect(await run(["--help"])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("--storage URL"),
    });
    expect(await run(["--storage"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--storage needs a URL"),
    });
    expect(await run(["--bogus"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown argument `--bogus`"),
    });
  });
});

describe("migrateStore", () => {
  it("resolves a relative SQLite path against baseDir and reports what it applied", async () => {
    const directory = await mkdtemp(join(tmpdir(), "tollgate-migrate-"));
    directories.push(directory);
    const result = await migrateStore("sqlite:data/store.db", directory);
    expect(result).toEqual({
      kind: "sqlite",
      applied: migrations.map(({ id, name }) => ({ id, name })),
      version: migrations.length,
    });
    expect((await stat(join(directory, "data", "store.db"))).isFile()).toBe(true);
  });
});
