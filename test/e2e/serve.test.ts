import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServeProcess } from "./serve-process.js";

const adminToken = "tg_e2e_admin_token_0123456789";
const auth = { authorization: `Bearer ${adminToken}` };

function config(displayName: string): string {
  return `// a minimal gateway with one OpenAI-compatible model
{
  "modelConfiguration": {
    "sourcegraph": null,
    "providerOverrides": [
      { "id": "local", "displayName": "Local", "serverSideConfig": { "type": "openaicompatible", "endpoints": [{ "url": "http://127.0.0.1:9/v1" }] } },
    ],
    "modelOverrides": [
      { "modelRef": "local::v1::small", "displayName": "${displayName}", "modelName": "small", "capabilities": ["chat", "autocomplete"],
        "category": "balanced", "status": "stable", "contextWindow": { "maxInputTokens": 1000, "maxOutputTokens": 100 } },
    ],
    "defaultModels": { "chat": "local::v1::small", "fastChat": "local::v1::small", "codeCompletion": "local::v1::small" },
  },
}`;
}

describe("tollgate serve (process)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-serve-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("starts on the embedded default, prints a generated admin token once, and stops on SIGTERM with 0", async () => {
    const first = await startServeProcess({ cwd: dir });
    const token = /\n {2}(tg_[A-Za-z0-9_-]{43})\n/.exec(first.stderr())?.[1];
    expect(token).toBeDefined();
    expect(first.stdout()).not.toContain(token!);
    expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ status: "ok" });
    const models = await fetch(`${first.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    expect(models.status).toBe(200);
    expect(await first.stop("SIGTERM")).toBe(0);

    // The second start finds the stored token: nothing new is printed, the old token still works.
    const second = await startServeProcess({ cwd: dir });
    expect(second.stderr()).not.toMatch(/tg_[A-Za-z0-9_-]{43}/);
    expect(
      (await fetch(`${second.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    expect(await second.stop("SIGINT")).toBe(0);
  });

  it("reloads the config on SIGHUP and keeps the running one when the new one is invalid", async () => {
    const file = join(dir, "tollgate.jsonc");
    await writeFile(file, config("Small One"));
    const serve = await startServeProcess({
      cwd: dir,
      args: ["--config", file],
      env: { TOLLGATE_ADMIN_TOKEN: adminToken },
    });
    const displayName = async () => {
      const body = (await (
        await fetch(`${serve.url}/v1/models/local::v1::small`, { headers: auth })
      ).json()) as { displayName: string };
      return body.displayName;
    };
    expect(await displayName()).toBe("Small One");

    await writeFile(file, config("Small Two"));
    serve.child.kill("SIGHUP");
    await expect.poll(displayName, { timeout: 5000 }).toBe("Small Two");

    await writeFile(file, config("Broken").replace('"status": "stable"', '"status": "stabel"'));
    serve.child.kill("SIGHUP");
    await expect.poll(() => serve.stdout(), { timeout: 5000 }).toContain("the new configuration is invalid");
    expect(serve.stdout()).toContain("stabel");
    expect(await displayName()).toBe("Small Two");

    // Regression: the problem echoed the malformed URL, password and all.
    await writeFile(
      file,
      config("Leaky").replace("http://127.0.0.1:9/v1", "http://user:hunter2@[bad-host/v1"),
    );
    serve.child.kill("SIGHUP");
    await expect.poll(() => serve.stdout(), { timeout: 5000 }).toContain("endpoints[0].url");
    expect(serve.stdout()).toContain("http://user:<redacted>@[bad-host/v1");
    expect(serve.stdout()).not.toContain("hunter2");
    expect(await displayName()).toBe("Small Two");
    expect(await serve.stop()).toBe(0);
  });

  it("refuses an invalid config at start with exit 1 and every problem", async () => {
    const file = join(dir, "bad.jsonc");
    await writeFile(
      file,
      '{ "server": { "prot": 8080 }, "modelConfiguration": { "sourcegraph": null, "defaultModels": { "chat": "x::y::z" } } }',
    );
    await expect(startServeProcess({ cwd: dir, args: ["--config", file] })).rejects.toThrow(
      /exited with 1[\s\S]*server\.prot[\s\S]*did you mean `port`/,
    );
  });

  it("refuses a storage.url it cannot use without printing the password in its query", async () => {
    const file = join(dir, "store.jsonc");
    await writeFile(file, '{ "storage": { "url": "postgres://db/x?password=hunter2&schema=Bad-Name" } }');
    const failure = await startServeProcess({ cwd: dir, args: ["--config", file] }).catch(
      (error: Error) => error.message,
    );
    expect(failure).toMatch(
      /exited with 1[\s\S]*storage\.url "postgres:\/\/db\/x\?password=<redacted>&schema=Bad-Name"/,
    );
    expect(failure).not.toContain("hunter2");
  });

  it("finds ./tollgate.jsonc like every other command and says which config and store it uses", async () => {
    await writeFile(join(dir, "tollgate.jsonc"), config("Found Here"));
    const serve = await startServeProcess({ cwd: dir, env: { TOLLGATE_ADMIN_TOKEN: adminToken } });
    const lines = serve
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const listening = lines.find((line) => line.msg === "tollgate listening");
    expect(listening).toMatchObject({
      config: `${join(dir, "tollgate.jsonc")} (found in the working directory)`,
      store: `sqlite:${join(dir, ".tollgate/tollgate.db")}`,
      limits: "in memory (one replica)",
      models: { available: 1, total: 1 },
      defaults: { chat: "local::v1::small" },
      providers: [{ id: "local", type: "openaicompatible", available: true }],
    });
    const models = (await (await fetch(`${serve.url}/v1/models`, { headers: auth })).json()) as {
      data: { displayName: string }[];
    };
    expect(models.data.map((model) => model.displayName)).toEqual(["Found Here"]);
    expect(await serve.stop()).toBe(0);
  });

  it("--log-format pretty prints a readable summary and readable log lines", async () => {
    await writeFile(join(dir, "tollgate.jsonc"), config("Pretty"));
    const serve = await startServeProcess({
      cwd: dir,
      args: ["--log-format", "pretty"],
      env: { TOLLGATE_ADMIN_TOKEN: adminToken },
      ready: { stream: "stderr", pattern: /Tollgate is listening on (http:\/\/\S+)/ },
    });
    expect(serve.stderr()).toMatch(/ {2}config {5}\S*tollgate\.jsonc \(found in the working directory\)/);
    expect(serve.stderr()).toMatch(/ {2}models {5}1 available of 1/);
    expect(serve.stderr()).toMatch(/ {2}local +openaicompatible +ready/);
    await fetch(`${serve.url}/healthz`);
    expect(await serve.stop()).toBe(0);
    // pino-pretty's lines, not JSON: "[12:00:00.000] INFO: starting …".
    expect(serve.stdout()).toMatch(/INFO.*starting/);
    expect(serve.stdout()).not.toMatch(/^\{"level"/m);
  });

  it("refuses an unknown --log-format as a usage error (exit 2)", async () => {
    await expect(startServeProcess({ cwd: dir, args: ["--log-format", "xml"] })).rejects.toThrow(
      /exited with 2[\s\S]*--log-format must be one of pretty, json/,
    );
  });
});
