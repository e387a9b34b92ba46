import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hashToken } from "../auth/token.js";
import { openStore } from "../store/index.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";
import { runTokens } from "./tokens.js";

const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

async function workspace(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "tollgate-tokens-"));
  directories.push(directory);
  return directory;
}

async function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
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
    cwd,
  };
  let code: number;
  try {
    code = await runTokens(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr += error.message;
    code = exitCode.usage;
  }
  return { code, stdout, stderr };
}

describe("tollgate tokens", () => {
  it("create --json, list --json, revoke on the embedded default store; never prints hashes", async () => {
    const cwd = await workspace();
    const created = await run(cwd, ["create", "--name", "CI bot", "--role", "readonly", "--json"]);
    expect(created.code).toBe(0);
    // Standard error says which config and store were used; standard output is the JSON alone.
    expect(created.stderr).toBe(
      `tollgate tokens: config the embedded default (no --config, TOLLGATE_CONFIG or ./tollgate.jsonc); store sqlite:${join(cwd, ".tollgate/tollgate.db")}\n`,
    );
    const answer = JSON.parse(created.stdout) as { id: string; actorId: string; token: string };
    expect(Object.keys(answer).sort()).toEqual(["actorId", "id", "token"]);
    expect(answer).toMatchObject({ id: expect.stringMatching(/^tok_/), actorId: "ci-bot" });
    expect(answer.token).toMatch(/^tg_[A-Za-z0-9_-]{43}$/);

    const second = await run(cwd, [
      "create",
      "--name",
      "laptop",
      "--actor",
      "ci-bot",
      "--expires",
      "30d",
      "--json",
    ]);
    expect(second.code).toBe(0);
    const secondAnswer = JSON.parse(second.stdout) as { id: string; actorId: string; token: string };
    expect(secondAnswer.actorId).toBe("ci-bot");

    const listed = await run(cwd, ["list", "--json"]);
    expect(listed.code).toBe(0);
    const { tokens } = JSON.parse(listed.stdout) as { tokens: Record<string, unknown>[] };
    expect(tokens.map((token) => token.id)).toEqual([answer.id, secondAnswer.id]);
    expect(tokens[0]).toMatchObject({ name: "CI bot", actorId: "ci-bot", state: "active", expiresAt: null });
    expect(tokens[0]!.hint).toBe(`tg_…${answer.token.slice(-4)}`);
    expect(tokens[1]!.expiresAt).toEqual(expect.any(String));
    for (const output of [listed.stdout, (await run(cwd, ["list"])).stdout]) {
      expect(output).not.toContain(answer.token);
      expect(output).not.toContain(hashToken(answer.token));
      expect(output).not.toContain(secondAnswer.token);
    }

    const revoked = await run(cwd, ["revoke", answer.id]);
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked token ${answer.id}.\n` });
    expect(await run(cwd, ["revoke", answer.id, "--json"])).toMatchObject({
      code: 0,
      stdout: `${JSON.stringify({ id: answer.id, revoked: false })}\n`,
    });
    const after = JSON.parse((await run(cwd, ["list", "--json", "--actor", "ci-bot"])).stdout) as {
      tokens: { state: string }[];
    };
    expect(after.tokens.map((token) => token.state)).toEqual(["revoked", "active"]);

    const store = await openStore("sqlite:.tollgate/tollgate.db", { baseDir: cwd });
    try {
      expect((await store.actors.get("ci-bot"))?.role).toBe("readonly");
      expect((await store.tokens.findByHash(hashToken(secondAnswer.token)))?.id).toBe(secondAnswer.id);
      const actions = (await store.audit.list()).map((entry) => entry.action).reverse();
      expect(actions).toEqual(["actor-create", "token-create", "token-create", "token-revoke"]);
    } finally {
      await store.close();
    }
  });

  it("human output shows the token once with a warning", async () => {
    const cwd = await workspace();
    const created = await run(cwd, ["create", "--name", "me"]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /^Created token tok_\w+ for actor me\.\nIt is shown only this once; keep it safe:\n\n {2}tg_\S+\n\n$/,
    );
    const listed = await run(cwd, ["list"]);
    expect(listed.stdout.split("\n")[0]).toMatch(
      /^ID\s+NAME\s+ACTOR\s+HINT\s+STATE\s+CREATED\s+EXPIRES\s+LAST USED$/,
    );
  });

  it("finds the store through --config and TOLLGATE_CONFIG", async () => {
    const cwd = await workspace();
    await writeFile(
      join(cwd, "tollgate.jsonc"),
      `{ "storage": { "url": "sqlite:data/custom.db" }, "modelConfiguration": { "sourcegraph": null } }`,
    );
    expect((await run(cwd, ["create", "--name", "a", "--config", "tollgate.jsonc"])).code).toBe(0);
    const viaEnv = await run(cwd, ["list", "--json"], { TOLLGATE_CONFIG: "tollgate.jsonc" });
    expect((JSON.parse(viaEnv.stdout) as { tokens: unknown[] }).tokens).toHaveLength(1);
    // The same file found in the working directory without naming it: the same store (it used to be ignored).
    const found = await run(cwd, ["list", "--json"]);
    expect((JSON.parse(found.stdout) as { tokens: unknown[] }).tokens).toHaveLength(1);
    expect(found.stderr).toContain(`config ${join(cwd, "tollgate.jsonc")} (found in the working directory)`);
    expect(found.stderr).toContain(`store sqlite:${join(cwd, "data/custom.db")}`);
    const elsewhere = await run(await workspace(), ["list", "--json"]);
    expect((JSON.parse(elsewhere.stdout) as { tokens: unknown[] }).tokens).toHaveLength(0);
    const broken = await run(cwd, ["list", "--config", "missing.jsonc"]);
    expect(broken.code).toBe(exitCode.failed);
    expect(broken.stderr).toContain("does not exist");
  });

  it("exit codes: 1 for a missing actor or token, 2 for usage mistakes", async () => {
    const cwd = await workspace();
    const missingActor = await run(cwd, ["create", "--name", "x", "--actor", "nobody"]);
    expect(missingActor.code).toBe(1);
    expect(missingActor.stderr).toMatch(/\ntollgate tokens create: actor `nobody` does not exist\n$/);
    expect((await run(cwd, ["revoke", "tok_missing"])).code).toBe(1);
    expect((await run(cwd, ["create"])).code).toBe(2);
    expect((await run(cwd, ["create", "--name", "x", "--role", "root"])).stderr).toContain(
      "--role must be one of admin, readonly, user",
    );
    expect((await run(cwd, ["create", "--name", "x", "--expires", "soon"])).code).toBe(2);
    const tooLong = await run(cwd, ["create", "--name", "x", "--expires", "99999999999999d"]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain("--expires must be at most 3650d (10 years)");
    expect((await run(cwd, ["list", "--name", "x"])).code).toBe(2);
    expect((await run(cwd, ["revoke"])).code).toBe(2);
    expect((await run(cwd, ["frobnicate"])).code).toBe(2);
    expect((await run(cwd, ["--bogus"])).code).toBe(2);
    expect(await run(cwd, ["--help"])).toMatchObject({ code: 0 });
  });
});
