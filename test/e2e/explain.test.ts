import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/token.js";
import { main } from "../../src/cli/commands.js";
import type { CommandIO } from "../../src/cli/io.js";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

/**
 * `GET /admin/api/explain` and `tollgate explain`: what a request would meet now, decided by the request path's
 * own steps against a real gateway, without sending anything upstream or counting anything.
 */

const tokens = {
  admin: "tg_admin_explain_0123456789abcdef",
  watcher: "tg_watcher_explain_0123456789abcdef",
  alice: "tg_alice_explain_0123456789abcdef",
  single: "tg_single_explain_0123456789abcdef",
};
const centralKey = "sk-central-explain-openai-5a4b3c2d";
const aliceKey = "sk-ant-alice-explain-own-key-1f2e3d";

function config(mock: string, storage: string): string {
  const actor = (id: string, token: string, extra: Record<string, unknown> = {}) => ({
    id,
    name: id,
    role: "user",
    tokens: [{ sha256: hashToken(token) }],
    ...extra,
  });
  const model = (ref: string, capabilities = ["chat"]) => ({
    modelRef: ref,
    modelName: ref.split("::")[2],
    capabilities,
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
  });
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    actors: [
      actor("alice", tokens.alice, {
        allowedModels: ["openai::v1::text", "byok::*"],
        limits: { chat: { requests: 5, interval: "1h", concurrent: 2 } },
      }),
      actor("single", tokens.single, { limits: { "*": { requests: 1, interval: "1h" } } }),
      { ...actor("watcher", tokens.watcher), role: "readonly" },
    ],
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: centralKey },
        },
        {
          id: "byok",
          serverSideConfig: { type: "anthropic", endpoint: `${mock}/anthropic` },
          keyPolicy: { centralKey: false, allowUserKeys: true },
        },
      ],
      modelOverrides: [
        model("openai::v1::text"),
        model("openai::v1::tools"),
        model("byok::v1::text"),
        model("openai::v1::embed", ["embeddings"]),
      ],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::tools", codeCompletion: "" },
    },
  });
}

let dir: string;
let mock: MockUpstream;
let gateway: Gateway;

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of any shape; tests pick fields.
  return { status: response.status, text, json: JSON.parse(text) as any };
}

const explain = (query: string, token = tokens.admin) => call("GET", `/admin/api/explain?${query}`, token);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-explain-"));
  mock = await startMockUpstream();
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(mock.url, join(dir, "tollgate.db")));
  gateway = await startTestGateway({ file, dir, env: { TOLLGATE_ADMIN_TOKEN: tokens.admin } });
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("GET /admin/api/explain", () => {
  it("explains an allowed model on a central key: row 1, the mock's URL, the auth header's name and no key", async () => {
    const answer = await explain("actor=alice&model=openai::v1::text");
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      actor: { id: "alice", role: "user", status: "active", source: "config" },
      feature: "chat",
      route: "POST /v1/chat/completions",
      model: { ref: "openai::v1::text", resolvedBy: "ref", providerId: "openai", allowed: true },
      provider: { id: "openai", type: "openai", supported: true },
      credential: {
        origin: "config",
        mode: "config-key",
        row: { n: 1 },
        keyPolicy: { centralKey: true, allowUserKeys: false, centralKeyFallback: false },
      },
      upstream: {
        operation: "chat",
        endpoints: [
          {
            url: `${mock.url}/openai/v1/chat/completions`,
            headers: ["authorization"],
            auth: { scheme: "bearer", headers: ["authorization"] },
          },
        ],
      },
      admitted: true,
    });
    expect(answer.json.refusal).toBeUndefined();
    expect(answer.text).not.toContain(centralKey);
    // Nothing went upstream.
    expect(mock.requests).toHaveLength(0);
  });

  it("a user-keys-only provider refuses without a saved key (row 3), then uses the actor's own (row 2)", async () => {
    const before = await explain("actor=alice&model=byok::v1::text");
    expect(before.json).toMatchObject({
      admitted: false,
      refusal: { step: "credential", code: "no_usable_key", status: 403 },
      credential: { row: { n: 3 }, keyPolicy: { centralKey: false, allowUserKeys: true } },
      upstream: null,
    });
    expect(before.json.refusal.message).toContain("PUT /v1/me/keys/byok");

    expect((await call("PUT", "/v1/me/keys/byok", tokens.alice, { key: aliceKey })).status).toBe(200);
    const after = await explain("actor=alice&model=byok::v1::text");
    expect(after.json).toMatchObject({
      admitted: true,
      credential: { origin: "user", row: { n: 2 } },
      upstream: { endpoints: [{ auth: { scheme: "header-key", headers: ["x-api-key"] } }] },
    });
    expect(after.json.upstream.endpoints[0].url).toBe(`${mock.url}/anthropic/v1/messages`);
    expect(after.text).not.toContain(aliceKey);
  });

  it("refuses a model outside the actor's allowed models at the authorize step, with the client's error", async () => {
    const answer = await explain("actor=alice&model=openai::v1::tools");
    expect(answer.json).toMatchObject({
      admitted: false,
      model: { ref: "openai::v1::tools", allowed: false, allowedModels: ["openai::v1::text", "byok::*"] },
      refusal: { step: "authorize", code: "model_not_allowed", status: 403 },
    });
    expect(answer.json.refusal.message).toContain("openai::v1::tools");
  });

  it("shows the limits' usage after one request, and explaining counts nothing", async () => {
    const sent = await call("POST", "/v1/chat/completions", tokens.alice, {
      model: "openai::v1::text",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(sent.status).toBe(200);
    await explain("actor=alice&model=openai::v1::text");
    const answer = await explain("actor=alice&model=openai::v1::text");
    expect(answer.json.limits).toMatchObject({
      feature: "chat",
      unlimited: false,
      interval: "1h",
      requests: { limit: 5, usage: 1, remaining: 4 },
      concurrent: { limit: 2, inUse: 0 },
    });
    expect(Date.parse(answer.json.limits.requests.resetAt)).toBeGreaterThan(Date.now());
    const own = await call("GET", "/v1/limits", tokens.alice);
    expect(own.json.chat.requests.usage).toBe(1);
  });

  it("names the limit and its retry time when the next request would be refused", async () => {
    expect(await explain("actor=single&model=openai::v1::text")).toMatchObject({ json: { admitted: true } });
    const sent = await call("POST", "/v1/chat/completions", tokens.single, {
      model: "openai::v1::text",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(sent.status).toBe(200);
    const answer = await explain("actor=single&model=openai::v1::text");
    expect(answer.json).toMatchObject({
      admitted: false,
      limits: { requests: { limit: 1, usage: 1, remaining: 0 } },
      refusal: { step: "limits", code: "rate_limited", status: 429 },
    });
    expect(answer.json.refusal.retryAfterSeconds).toBeGreaterThan(0);
    expect(answer.json.refusal.message).toContain("request limit reached");
  });

  it("follows the feature: fastChat's default model, and a named model counting under chat", async () => {
    const byDefault = await explain("actor=single&model=default&feature=fastChat");
    expect(byDefault.json).toMatchObject({
      feature: "fastChat",
      model: { ref: "openai::v1::tools", resolvedBy: "default" },
    });
    const named = await explain("actor=watcher&model=tools&feature=fastChat");
    expect(named.json).toMatchObject({
      feature: "chat",
      model: { ref: "openai::v1::tools", resolvedBy: "id" },
    });
    // A readonly actor may not use the client routes at all.
    expect(named.json.refusal).toMatchObject({ step: "authenticate", code: "forbidden", status: 403 });
    const embeddings = await explain("actor=watcher&model=openai::v1::text&feature=embeddings");
    expect(embeddings.json.refusal).toMatchObject({ step: "authenticate" });
    expect(embeddings.json).toMatchObject({ route: "POST /v1/embeddings", model: null });
  });

  it("is for admin and readonly tokens; 404 for an unknown actor or model, 400 naming a missing field", async () => {
    expect((await explain("actor=alice&model=openai::v1::text", tokens.watcher)).status).toBe(200);
    const user = await explain("actor=alice&model=openai::v1::text", tokens.alice);
    expect(user.status).toBe(403);
    expect(user.json.error).toMatchObject({ code: "forbidden" });

    const actor = await explain("actor=nobody&model=openai::v1::text");
    expect(actor.status).toBe(404);
    expect(actor.json.error).toMatchObject({ code: "not_found", param: "actor" });
    expect(actor.json.error.message).toContain("nobody");
    const model = await explain("actor=alice&model=openai::v1::nothing");
    expect(model.status).toBe(404);
    expect(model.json.error).toMatchObject({ code: "model_not_found", param: "model" });

    const missing = await explain("actor=alice");
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: "invalid_request", param: "model" });
    const feature = await explain("actor=alice&model=openai::v1::text&feature=images");
    expect(feature.status).toBe(400);
    expect(feature.json.error).toMatchObject({ param: "feature" });
  });
});

describe("tollgate explain", () => {
  async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    let stdout = "";
    let stderr = "";
    const io: CommandIO = {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env: { TOLLGATE_URL: gateway.url, TOLLGATE_TOKEN: tokens.watcher, ...env },
      cwd: dir,
    };
    const code = await main(["explain", ...args], io);
    return { code, stdout, stderr };
  }

  it("--json prints the API's answer; exit 0 when admitted", async () => {
    const result = await run(["--actor", "alice", "--model", "openai::v1::text", "--json"]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    const api = await explain("actor=alice&model=openai::v1::text");
    expect(printed).toEqual(api.json);
    expect(result.stdout).not.toContain(centralKey);
  });

  it("prints a short report; a refusal exits 1 and says which step refuses", async () => {
    const admitted = await run(["--actor", "alice", "--model", "openai::v1::text", "--url", gateway.url]);
    expect(admitted.code).toBe(0);
    expect(admitted.stdout).toContain("model     openai::v1::text (by ref); allowed");
    expect(admitted.stdout).toContain(`endpoint  ${mock.url}/openai/v1/chat/completions`);
    expect(admitted.stdout).toContain("auth bearer (authorization)");
    expect(admitted.stdout).toMatch(
      /key {7}central key from the config \(config-key\)\n {10}key policy row 1: /,
    );
    expect(admitted.stdout).toMatch(/limits {4}chat: requests \d of 5 per 1h used/);
    expect(admitted.stdout).toContain("verdict   admitted\n");

    const refused = await run(["--actor", "alice", "--model", "openai::v1::tools"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      "verdict   refused at authorize: 403 model_not_allowed: model `openai::v1::tools`",
    );
  });

  it("reports the gateway's errors (exit 1) and usage mistakes (exit 2)", async () => {
    const unknown = await run(["--actor", "nobody", "--model", "openai::v1::text"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("the gateway answered 404: no actor `nobody`");
    const user = await run(["--actor", "alice", "--model", "openai::v1::text", "--token", tokens.alice]);
    expect(user.code).toBe(1);
    expect(user.stderr).toContain("403");

    expect((await run(["--actor", "alice"])).code).toBe(2);
    expect((await run(["--actor", "alice", "--model", "x", "--feature", "images"])).code).toBe(2);
    expect((await run(["--actor", "alice", "--model", "x"], { TOLLGATE_TOKEN: "" })).code).toBe(2);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: tollgate explain");
  });
});
