import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../../test/store/postgres.js";
import { AccessAdmin, type ActorView } from "../auth/access-admin.js";
import { ActorDirectory } from "../auth/actor-directory.js";
import { type ChangeMessage, subscribeChanges } from "../auth/change-bus.js";
import { readRevision } from "../auth/revision.js";
import { hashToken } from "../auth/token.js";
import { openStore, type Store } from "../store/index.js";
import { runActors } from "./actors.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";

const directories: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  await dropSchemas(schemas);
});

/** A workspace with a tollgate.jsonc whose store is the backend's, and one config actor, `ops`. */
interface Workspace {
  cwd: string;
  storeUrl: string;
  configFile: string;
}

const backends: { name: string; storeUrl: () => Promise<string> }[] = [
  { name: "SQLite", storeUrl: async () => "sqlite:data/actors.db" },
  {
    name: "Postgres",
    storeUrl: async () => {
      const schema = randomSchemaName();
      schemas.push(schema);
      return withSchema(await postgresUrl(), schema);
    },
  },
];

async function run(workspace: Workspace, args: string[], env: NodeJS.ProcessEnv = {}) {
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
    cwd: workspace.cwd,
  };
  let code: number;
  try {
    code = await runActors(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr += error.message;
    code = exitCode.usage;
  }
  return { code, stdout, stderr };
}

/** Runs a command that must succeed with --json, and returns its answer. */
async function json<T = ActorView>(workspace: Workspace, args: string[]): Promise<T> {
  const result = await run(workspace, [...args, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function withStore<T>(workspace: Workspace, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(workspace.storeUrl, { baseDir: workspace.cwd });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe.each(backends)("tollgate actors on $name", ({ storeUrl }) => {
  async function workspace(extra = ""): Promise<Workspace> {
    const cwd = await mkdtemp(join(tmpdir(), "tollgate-actors-"));
    directories.push(cwd);
    const url = await storeUrl();
    const configFile = join(cwd, "tollgate.jsonc");
    await writeFile(
      configFile,
      `{ "storage": { "url": ${JSON.stringify(url)} }, "modelConfiguration": { "sourcegraph": null },
         "actors": [{ "id": "ops", "name": "Ops", "role": "admin" }] ${extra} }`,
    );
    return { cwd, storeUrl: url, configFile };
  }

  it("create, list, show, set, disable, enable, delete: each audited with the CLI as author and a revision bump", async () => {
    const space = await workspace();
    const created = await json(space, ["create", "--name", "CI bot", "--role", "readonly"]);
    expect(created).toMatchObject({
      id: "ci-bot",
      name: "CI bot",
      role: "readonly",
      status: "active",
      source: "database",
      allowedModels: null,
      limits: null,
      budget: null,
    });
    const revisionAfterCreate = await withStore(space, (store) => readRevision(store.settings));
    expect(revisionAfterCreate).toBeDefined();

    const team = await json(space, ["create", "--name", "Team A", "--id", "team-a", "--budget", "25/month"]);
    expect(team).toMatchObject({ id: "team-a", role: "user", budget: { usd: 25, period: "month" } });

    const { actors } = await json<{ actors: ActorView[] }>(space, ["list"]);
    expect(actors.map((actor) => actor.id)).toEqual(["ci-bot", "team-a"]);
    expect(await json(space, ["show", "team-a"])).toEqual(team);

    const changed = await json(space, [
      "set",
      "team-a",
      "--name",
      "Team A (EU)",
      "--allowed-models",
      "anthropic::*, *::gpt-4o*",
      "--feature",
      "chat",
      "--requests",
      "60/1m",
      "--concurrent",
      "4",
    ]);
    expect(changed).toMatchObject({
      name: "Team A (EU)",
      allowedModels: ["anthropic::*", "*::gpt-4o*"],
      limits: { chat: { requests: 60, interval: "1m", concurrent: 4 } },
      budget: { usd: 25, period: "month" },
    });
    const revisionAfterSet = await withStore(space, (store) => readRevision(store.settings));
    expect(revisionAfterSet).not.toBe(revisionAfterCreate);

    expect(await json(space, ["disable", "team-a"])).toMatchObject({ status: "disabled" });
    expect(await json(space, ["enable", "team-a"])).toMatchObject({ status: "active" });
    expect(await json<{ id: string; deleted: boolean }>(space, ["delete", "ci-bot"])).toEqual({
      id: "ci-bot",
      deleted: true,
    });
    expect((await run(space, ["show", "ci-bot"])).code).toBe(exitCode.failed);

    await withStore(space, async (store) => {
      const entries = (await store.audit.list()).reverse();
      expect(entries.map((entry) => [entry.action, entry.target])).toEqual([
        ["actor-create", "ci-bot"],
        ["actor-create", "team-a"],
        ["actor-update", "team-a"],
        ["actor-update", "team-a"],
        ["actor-update", "team-a"],
        ["actor-delete", "ci-bot"],
      ]);
      // The CLI acts as the system, as `tollgate tokens` does.
      expect(entries.every((entry) => entry.actorId === null)).toBe(true);
      expect(entries[2]!.details).toMatchObject({
        before: { name: "Team A", allowedModels: null, limits: null },
        after: { name: "Team A (EU)", limits: { chat: { requests: 60, interval: "1m", concurrent: 4 } } },
      });
      expect(entries[3]!.details).toEqual({ before: { status: "active" }, after: { status: "disabled" } });
    });
  });

  it("limits per feature merge into the stored ones; --limits, --budget and the --clear-* flags replace or clear", async () => {
    const space = await workspace();
    await json(space, ["create", "--name", "dev", "--feature", "*", "--tokens", "100000/1d"]);
    let actor = await json(space, ["set", "dev", "--feature", "chat", "--requests", "60/1m"]);
    expect(actor.limits).toEqual({
      "*": { tokens: 100000, interval: "1d" },
      chat: { requests: 60, interval: "1m" },
    });
    // A count without an interval keeps the limit's interval; the other fields stay.
    actor = await json(space, ["set", "dev", "--feature", "chat", "--tokens", "5000", "--concurrent", "2"]);
    expect(actor.limits?.chat).toEqual({ requests: 60, tokens: 5000, interval: "1m", concurrent: 2 });
    actor = await json(space, [
      "set",
      "dev",
      "--feature",
      "chat",
      "--requests",
      "120/2m",
      "--tokens",
      "9000/120s",
    ]);
    expect(actor.limits?.chat).toEqual({ requests: 120, tokens: 9000, interval: "2m", concurrent: 2 });

    // A new interval for requests would silently re-time the tokens limit: refused, naming the field.
    const retimed = await run(space, ["set", "dev", "--feature", "chat", "--requests", "10/1h"]);
    expect(retimed.code).toBe(exitCode.failed);
    expect(retimed.stderr).toContain(
      "tollgate actors set: limits.chat.interval: chat's tokens limit (9000 per 2m) shares one interval with its requests; give --tokens too (e.g. --tokens 9000/1h)",
    );

    actor = await json(space, ["set", "dev", "--feature", "chat", "--clear-limits"]);
    expect(actor.limits).toEqual({ "*": { tokens: 100000, interval: "1d" } });
    actor = await json(space, ["set", "dev", "--feature", "*", "--clear-limits"]);
    expect(actor.limits).toBeNull();

    actor = await json(space, ["set", "dev", "--limits", '{"embeddings":{"requests":5,"interval":"1s"}}']);
    expect(actor.limits).toEqual({ embeddings: { requests: 5, interval: "1s" } });
    await writeFile(join(space.cwd, "limits.json"), '{ "fastChat": { "concurrent": 3 } }');
    actor = await json(space, [
      "set",
      "dev",
      "--limits",
      "@limits.json",
      "--budget",
      '{"usd":2.5,"period":"day"}',
    ]);
    expect(actor).toMatchObject({
      limits: { fastChat: { concurrent: 3 } },
      budget: { usd: 2.5, period: "day" },
    });
    actor = await json(space, ["set", "dev", "--budget", "$10/week", "--allowed-models", "openai::*"]);
    expect(actor).toMatchObject({ budget: { usd: 10, period: "week" }, allowedModels: ["openai::*"] });

    actor = await json(space, ["set", "dev", "--clear-limits", "--clear-budget", "--clear-allowed-models"]);
    expect(actor).toMatchObject({ limits: null, budget: null, allowedModels: null });
  });

  it("human output: a table for list, every field for show with its tokens", async () => {
    const space = await workspace();
    expect((await run(space, ["list"])).stdout).toBe("No actors.\n");
    const created = await run(space, ["create", "--name", "dev", "--budget", "25/month"]);
    expect(created.stdout).toMatch(/^Created actor dev\.\nid: {13}dev\n/);
    await json(space, [
      "set",
      "dev",
      "--allowed-models",
      "openai::*",
      "--limits",
      '{"chat":{"requests":60,"tokens":1000,"interval":"1m","concurrent":4},"*":{"concurrent":2}}',
    ]);
    const listed = (await run(space, ["list"])).stdout.split("\n");
    expect(listed[0]).toMatch(/^ID\s+NAME\s+ROLE\s+STATUS\s+SOURCE\s+MODELS\s+LIMITS\s+BUDGET$/);
    expect(listed[1]).toMatch(
      /^dev\s+dev\s+user\s+active\s+database\s+openai::\*\s+chat: 60 requests\/1m, 1000 tokens\/1m, 4 concurrent; \*: 2 concurrent\s+\$25\/month$/,
    );
    await withStore(space, (store) =>
      new AccessAdmin(store).createToken({ name: "laptop", actorId: "dev" }, null),
    );
    const shown = (await run(space, ["show", "dev"])).stdout;
    expect(shown).toContain(
      "allowed models: openai::*\nlimits:         chat: 60 requests/1m, 1000 tokens/1m, 4 concurrent\n                *: 2 concurrent\nbudget:         $25/month\ntokens:         1 active\n",
    );
    expect((await run(space, ["disable", "dev"])).stdout).toMatch(
      /^Disabled actor dev: its tokens are refused\.\n/,
    );
    expect((await run(space, ["delete", "dev"])).stdout).toBe("Deleted actor dev and its 1 token.\n");
  });

  it("usage mistakes exit 2 naming the flag; invalid values exit 1 naming the field", async () => {
    const space = await workspace();
    await json(space, ["create", "--name", "dev"]);
    const usage: [string[], string][] = [
      [["frobnicate"], "unknown subcommand `frobnicate`"],
      [["list", "--bogus"], "--bogus"],
      [["list", "--name", "x"], "`actors list` does not take --name"],
      [["show"], "`actors show` takes exactly one actor id"],
      [["create"], "`actors create` needs --name NAME"],
      [["create", "--name", "x", "--clear-budget"], "`actors create` does not take --clear-budget"],
      [
        ["create", "--name", "x", "--role", "root"],
        "--role must be one of admin, readonly, user; got `root`",
      ],
      [["set", "dev"], "`actors set` needs a change"],
      [["set", "dev", "--status", "paused"], "--status must be one of active, disabled"],
      [
        ["set", "dev", "--requests", "60/1m"],
        "--requests needs --feature chat|fastChat|codeCompletion|embeddings|*",
      ],
      [["set", "dev", "--feature", "chats", "--requests", "1/1m"], "--feature must be one of chat, fastChat"],
      [
        ["set", "dev", "--feature", "chat"],
        "--feature needs --requests, --tokens, --concurrent or --clear-limits",
      ],
      [["set", "dev", "--feature", "chat", "--requests", "lots"], "--requests takes COUNT or COUNT/INTERVAL"],
      [["set", "dev", "--feature", "chat", "--concurrent", "2/1m"], "--concurrent takes a count"],
      [
        ["set", "dev", "--feature", "chat", "--requests", "1/1m", "--tokens", "1/1d"],
        "--requests and --tokens of one feature share one interval; got 1m and 1d",
      ],
      [["set", "dev", "--budget", "lots"], "--budget takes USD/PERIOD such as 25/month"],
      [["set", "dev", "--limits", "{chat"], "--limits takes JSON or @FILE; the JSON is invalid"],
      [["set", "dev", "--limits", "{}", "--clear-limits"], "--limits and --clear-limits cannot be combined"],
      [["set", "dev", "--limits", "{}", "--feature", "chat"], "--limits and --feature cannot be combined"],
      [["set", "dev", "--allowed-models", "a,,b"], "--allowed-models takes model globs separated by commas"],
    ];
    for (const [args, message] of usage) {
      const result = await run(space, args);
      expect(result.code, args.join(" ")).toBe(exitCode.usage);
      expect(result.stderr, args.join(" ")).toContain(message);
    }

    const invalid: [string[], string][] = [
      [
        ["set", "dev", "--feature", "chat", "--requests", "60/soon"],
        "limits.chat.interval: `soon` is not a duration",
      ],
      [
        ["set", "dev", "--feature", "chat", "--requests", "60"],
        "limits.chat.interval: `requests` and `tokens` limits need",
      ],
      [
        ["set", "dev", "--feature", "chat", "--requests", "0/1m"],
        "limits.chat.requests: must be more than 0",
      ],
      [
        ["set", "dev", "--limits", '{"chats":{"concurrent":1}}'],
        "limits.chats: unknown key `chats` (did you mean `chat`?)",
      ],
      [["set", "dev", "--limits", '{"chat":{}}'], "limits.chat: a limit needs at least one of"],
      [["set", "dev", "--limits", "@missing.json"], "cannot read --limits"],
      [
        ["set", "dev", "--budget", "25/year"],
        'budget.period: the string "year" is not allowed; expected one of `day`, `week`, `month`',
      ],
      [["set", "dev", "--budget", "0/month"], "budget.usd: must be more than 0"],
      [["set", "dev", "--name", " "], "name: must not be empty"],
      [["create", "--name", "x", "--id", "no spaces"], "id: actor ids may contain letters, digits"],
      [["create", "--name", "x", "--id", "dev"], "an actor with id `dev` already exists"],
      [["set", "nobody", "--role", "user"], "actor `nobody` does not exist"],
      [["delete", "nobody"], "actor `nobody` does not exist"],
      [["show", "bad id"], "`bad id` is not an actor id"],
    ];
    for (const [args, message] of invalid) {
      const result = await run(space, args);
      expect(result.code, args.join(" ")).toBe(exitCode.failed);
      expect(result.stderr, args.join(" ")).toContain(`tollgate actors ${args[0]}: ${message}`);
    }
    // Nothing of that reached the store.
    expect(await json(space, ["show", "dev"])).toMatchObject({ name: "dev", limits: null, budget: null });
    expect(await run(space, ["--help"])).toMatchObject({ code: exitCode.ok });
  });

  it("config-file actors are read-only, naming the file", async () => {
    const space = await workspace();
    const notYet = await run(space, ["show", "ops"]);
    expect(notYet.code).toBe(exitCode.failed);
    expect(notYet.stderr).toContain(
      `actor \`ops\` is in the config file ${space.configFile} but not yet in the store`,
    );
    // A gateway started with the file mirrors its actors into the store.
    await withStore(space, async (store) => {
      const directory = new ActorDirectory({
        store,
        actors: {
          list: [{ id: "ops", name: "Ops", role: "admin", status: "active", tokens: [] }],
          sources: [],
        },
      });
      await directory.start();
      await directory.close();
    });
    expect(await json(space, ["show", "ops"])).toMatchObject({ id: "ops", source: "config", role: "admin" });
    const refusal = `actor \`ops\` is defined in the config file ${space.configFile}; change it there`;
    for (const args of [
      ["set", "ops", "--budget", "5/day"],
      ["disable", "ops"],
      ["enable", "ops"],
      ["delete", "ops"],
      ["create", "--name", "Ops", "--id", "ops"],
    ]) {
      const result = await run(space, args);
      expect(result.code, args.join(" ")).toBe(exitCode.failed);
      expect(result.stderr, args.join(" ")).toContain(refusal);
    }
    // Read with another config, the store still knows it as a config actor: AccessAdmin refuses.
    await writeFile(
      join(space.cwd, "other.jsonc"),
      `{ "storage": { "url": ${JSON.stringify(space.storeUrl)} }, "modelConfiguration": { "sourcegraph": null } }`,
    );
    const elsewhere = await run(space, ["disable", "ops", "--config", "other.jsonc"]);
    expect(elsewhere.code).toBe(exitCode.failed);
    expect(elsewhere.stderr).toContain(
      `tollgate actors disable: actor \`ops\` comes from a gateway's config file, though ${join(space.cwd, "other.jsonc")} does not define it; change it in that file`,
    );
    expect(await json(space, ["show", "ops"])).toMatchObject({ status: "active", budget: null });
  });

  it("a running gateway's directory refuses a disabled or deleted actor's token within a second", async () => {
    const space = await workspace();
    await json(space, ["create", "--name", "dev"]);
    const store = await openStore(space.storeUrl, { baseDir: space.cwd });
    const directory = new ActorDirectory({ store, actors: { list: [], sources: [] } });
    try {
      const { token } = await new AccessAdmin(store).createToken({ name: "laptop", actorId: "dev" }, null);
      await directory.start();
      expect((await directory.authenticate(token))?.actorId).toBe("dev");

      const refusedWithin = async (): Promise<number> => {
        const started = Date.now();
        while ((await directory.authenticate(token)) !== undefined) {
          if (Date.now() - started > 3_000) throw new Error("the token is still accepted");
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return Date.now() - started;
      };
      expect((await run(space, ["disable", "dev"])).code).toBe(0);
      expect(await refusedWithin()).toBeLessThan(1_000);

      expect((await run(space, ["enable", "dev"])).code).toBe(0);
      const started = Date.now();
      while ((await directory.authenticate(token)) === undefined && Date.now() - started < 3_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await directory.authenticate(token))?.actorId).toBe("dev");

      expect((await run(space, ["delete", "dev"])).code).toBe(0);
      expect(await refusedWithin()).toBeLessThan(1_000);
    } finally {
      await directory.close();
      await store.close();
    }
  });
});

describe("tollgate actors with Redis", () => {
  it("tells running gateways at once: a disabled actor's token hashes, then a plain change", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "tollgate-actors-"));
    directories.push(cwd);
    const keyPrefix = `tg-actors-test-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
    await writeFile(
      join(cwd, "tollgate.jsonc"),
      `{ "storage": { "url": "sqlite:actors.db" }, "modelConfiguration": { "sourcegraph": null },
         "redis": { "url": "redis://127.0.0.1:6379", "keyPrefix": "${keyPrefix}" } }`,
    );
    const space = { cwd, storeUrl: "sqlite:actors.db", configFile: join(cwd, "tollgate.jsonc") };
    await json(space, ["create", "--name", "dev"]);
    const { token } = await withStore(space, (store) =>
      new AccessAdmin(store).createToken({ name: "laptop", actorId: "dev" }, null),
    );

    const { Redis } = await import("ioredis");
    // Not lazy: the subscription duplicates this client, options included, and waits for it to connect.
    const client = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 0 });
    const messages: ChangeMessage[] = [];
    const subscription = subscribeChanges({ client, keyPrefix }, (message) => messages.push(message));
    try {
      await subscription.ready;
      expect((await run(space, ["disable", "dev"])).code).toBe(0);
      expect((await run(space, ["set", "dev", "--role", "readonly", "--status", "active"])).code).toBe(0);
      const deadline = Date.now() + 2_000;
      while (messages.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(messages).toEqual([{ type: "revoked", hashes: [hashToken(token)] }, { type: "changed" }]);
    } finally {
      await subscription.close();
      client.disconnect();
    }
  });
});
