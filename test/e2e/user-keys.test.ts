import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/token.js";
import { loadConfigFile } from "../../src/config/index.js";
import { loadMasterKeys } from "../../src/credentials/master-key.js";
import { rotateMasterKey } from "../../src/credentials/rotate-secrets.js";
import type { Gateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

/**
 * Issue 13: each provider's key policy decides whose key a request uses. Real gateway (SQLite in a temp dir),
 * one mock upstream that records the key each request carried.
 */

const adminToken = "tg_admin_user_keys_0123456789abcdef";
const aliceToken = "tg_alice_user_keys_0123456789abcdef";
const bobToken = "tg_bob_user_keys_0123456789abcdefgh";
const central = { openai: "sk-central-openai-fallback-111", strict: "sk-central-openai-strict-222" };
const aliceKey = "sk-ant-alice-own-key-9f8e7d6c5b4a";
const aliceOpenAIKey = "sk-alice-openai-own-key-0a1b2c3d";
const storedCentral = "sk-central-set-through-admin-api-777";

const window = { maxInputTokens: 100_000, maxOutputTokens: 4096 };
const model = (provider: string) => ({
  modelRef: `${provider}::v1::text`,
  displayName: `${provider} text`,
  modelName: "text",
  capabilities: ["chat", "autocomplete"],
  category: "balanced",
  status: "stable",
  contextWindow: window,
});

function config(mock: string, storage: string): string {
  const actor = (id: string, token: string) => ({
    id,
    name: id,
    role: "user",
    tokens: [{ sha256: hashToken(token) }],
  });
  return JSON.stringify({
    server: { host: "127.0.0.1", port: 0 },
    storage: { url: `sqlite:${storage}` },
    actors: [actor("alice", aliceToken), actor("bob", bobToken)],
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        // Users' keys only.
        {
          id: "byok",
          serverSideConfig: { type: "anthropic", endpoint: `${mock}/anthropic` },
          keyPolicy: { centralKey: false, allowUserKeys: true },
        },
        // User keys with the central key as fallback.
        {
          id: "fallback",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: central.openai },
          keyPolicy: { allowUserKeys: true, centralKeyFallback: true },
        },
        // User keys allowed, no fallback: the central key is never used for users.
        {
          id: "strict",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: central.strict },
          keyPolicy: { allowUserKeys: true },
        },
        // Central only, but no key in the file: an administrator sets one through the admin API.
        { id: "later", serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: "" } },
      ],
      modelOverrides: ["byok", "fallback", "strict", "later"].map(model),
      defaultModels: { chat: "fallback::v1::text", fastChat: "fallback::v1::text", codeCompletion: "" },
    },
  });
}

let dir: string;
let mock: MockUpstream;
let gateway: Gateway;
const logs: string[] = [];

async function call(method: string, path: string, token: string, body?: unknown, headers = {}) {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of any shape; tests pick fields.
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, json, text };
}

const chat = (token: string, provider: string) =>
  call("POST", "/v1/chat/completions", token, {
    model: `${provider}::v1::text`,
    messages: [{ role: "user", content: "hi" }],
  });

const messages = (token: string, provider: string) =>
  call(
    "POST",
    "/v1/messages",
    token,
    { model: `${provider}::v1::text`, max_tokens: 50, messages: [{ role: "user", content: "hi" }] },
    { "anthropic-version": "2023-06-01" },
  );

const sentKey = (prefix: string) => {
  const headers = mock.last(prefix).headers;
  return (
    (headers["x-api-key"] as string | undefined) ?? (headers.authorization as string).replace(/^Bearer /, "")
  );
};

const listed = async (token: string) =>
  ((await call("GET", "/v1/models", token)).json.data as { id: string }[]).map((entry) => entry.id).sort();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-user-keys-"));
  mock = await startMockUpstream();
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(mock.url, join(dir, "data", "tollgate.db")));
  gateway = await startTestGateway({
    file,
    dir,
    logger: createLogger({ level: "trace", destination: { write: (line: string) => logs.push(line) } }),
    env: { TOLLGATE_ADMIN_TOKEN: adminToken },
  });
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("users' own keys", () => {
  it("lists each provider that takes a personal key, with the caller's status", async () => {
    const answer = await call("GET", "/v1/me/keys", aliceToken);
    expect(answer.status).toBe(200);
    expect(answer.json.keys).toEqual([
      { providerId: "byok", displayName: expect.any(String), status: "no_key" },
      { providerId: "fallback", displayName: expect.any(String), status: "using_shared_key" },
      { providerId: "strict", displayName: expect.any(String), status: "no_key" },
    ]);
  });

  it("lists only the models the caller can use now, and refuses the others with where to save a key", async () => {
    expect(await listed(aliceToken)).toEqual(["fallback::v1::text"]);
    const refused = await messages(aliceToken, "byok");
    expect(refused.status).toBe(403);
    expect(refused.json.type).toBe("error");
    expect(refused.json.error.message).toContain("PUT /v1/me/keys/byok");
    const strict = await chat(aliceToken, "strict");
    expect(strict.status).toBe(403);
    expect(strict.json.error.message).toContain("personal API key");
  });

  it.each([
    ["a body that is not an object", '"sk-x"', "JSON object"],
    ["no key", {}, "`key`: required"],
    ["an unknown field", { key: "sk-abc", extra: 1 }, "`extra`"],
    ["an empty key", { key: "" }, "must not be empty"],
    ["whitespace", { key: "sk-abc def" }, "whitespace"],
    ["a line break", { key: "sk-abc\n" }, "whitespace"],
    ["a number", { key: 12345 }, "must be a string"],
    ["too long", { key: "k".repeat(9000) }, "at most"],
  ])("refuses %s with a 400 naming the field", async (_name, body, message) => {
    const answer = await call("PUT", "/v1/me/keys/byok", aliceToken, body);
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toContain(message);
    expect(answer.text).not.toContain("sk-abc");
  });

  it("a body that is not JSON is refused without quoting it (it may be a key)", async () => {
    const answer = await call("PUT", "/v1/me/keys/byok", aliceToken, '{"key": sk-ant-unquoted-secret}');
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toContain("not valid JSON");
    expect(answer.text).not.toContain("unquoted-secret");
  });

  it("readonly tokens keep no keys: they cannot use the model routes", async () => {
    const readonly = await call("POST", "/admin/api/tokens", adminToken, {
      name: "watcher",
      role: "readonly",
    });
    const answer = await call("PUT", "/v1/me/keys/byok", readonly.json.token, { key: "sk-readonly" });
    expect(answer.status).toBe(403);
    expect((await call("GET", "/v1/me/keys", readonly.json.token)).status).toBe(403);
  });

  it("refuses keys for unknown providers and providers that take none", async () => {
    expect((await call("PUT", "/v1/me/keys/nope", aliceToken, { key: "sk-1" })).status).toBe(404);
    const central = await call("PUT", "/v1/me/keys/later", aliceToken, { key: "sk-1" });
    expect(central.status).toBe(403);
    expect(central.json.error.message).toContain("allowUserKeys");
  });

  it("a saved key is used for the caller's requests and never echoed", async () => {
    const saved = await call("PUT", "/v1/me/keys/byok", aliceToken, { key: aliceKey });
    expect(saved.status).toBe(200);
    expect(saved.json).toEqual({
      providerId: "byok",
      displayName: expect.any(String),
      status: "key_saved",
      last4: aliceKey.slice(-4),
    });
    expect(saved.text).not.toContain(aliceKey.slice(0, -4));
    const keys = (await call("GET", "/v1/me/keys", aliceToken)).json.keys;
    expect(keys[0]).toMatchObject({ providerId: "byok", status: "key_saved", last4: aliceKey.slice(-4) });

    expect(await listed(aliceToken)).toEqual(["byok::v1::text", "fallback::v1::text"]);
    const answer = await messages(aliceToken, "byok");
    expect(answer.status).toBe(200);
    expect(sentKey("/anthropic")).toBe(aliceKey);
    // Bob saved nothing: still refused.
    expect((await messages(bobToken, "byok")).status).toBe(403);
  });

  it("with central fallback, a caller without a key uses the central one and one with a key their own", async () => {
    expect((await chat(bobToken, "fallback")).status).toBe(200);
    expect(sentKey("/openai")).toBe(central.openai);
    expect((await call("PUT", "/v1/me/keys/fallback", aliceToken, { key: aliceOpenAIKey })).status).toBe(200);
    expect((await chat(aliceToken, "fallback")).status).toBe(200);
    expect(sentKey("/openai")).toBe(aliceOpenAIKey);
    const statuses = (await call("GET", "/v1/me/keys", bobToken)).json.keys;
    expect(statuses.find((entry: { providerId: string }) => entry.providerId === "fallback").status).toBe(
      "using_shared_key",
    );
  });

  it("deleting a key falls back where the policy allows and refuses where it does not", async () => {
    const removed = await call("DELETE", "/v1/me/keys/fallback", aliceToken);
    expect(removed.json).toMatchObject({ status: "using_shared_key", deleted: true });
    expect((await chat(aliceToken, "fallback")).status).toBe(200);
    expect(sentKey("/openai")).toBe(central.openai);

    expect((await call("DELETE", "/v1/me/keys/byok", aliceToken)).json).toMatchObject({
      status: "no_key",
      deleted: true,
    });
    expect((await messages(aliceToken, "byok")).status).toBe(403);
    expect((await call("DELETE", "/v1/me/keys/byok", aliceToken)).json.deleted).toBe(false);
  });

  it("no stored key is in the database files in plaintext, and none reached a log line", async () => {
    await call("PUT", "/v1/me/keys/byok", aliceToken, { key: aliceKey });
    const files = (await readdir(join(dir, "data"))).filter((name) => name.startsWith("tollgate.db"));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const bytes = await readFile(join(dir, "data", name));
      for (const secret of [aliceKey, aliceOpenAIKey]) {
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
        expect(bytes.includes(Buffer.from(Buffer.from(secret).toString("base64")))).toBe(false);
      }
    }
    const text = logs.join("\n");
    for (const secret of [aliceKey, aliceOpenAIKey, storedCentral, ...Object.values(central)]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("when a provider stops taking personal keys", () => {
  it("its owner can still delete a key saved before, and the key is no longer used", async () => {
    expect(
      (await call("PUT", "/v1/me/keys/strict", bobToken, { key: "sk-bob-strict-key-1234" })).status,
    ).toBe(200);
    const file = join(dir, "tollgate.jsonc");
    const original = await readFile(file, "utf8");
    const changed = JSON.parse(original);
    delete changed.modelConfiguration.providerOverrides[2].keyPolicy;
    await writeFile(file, JSON.stringify(changed));
    const reloaded = await loadConfigFile(file, {});
    if (!reloaded.ok) throw new Error(JSON.stringify(reloaded.problems));
    await gateway.reload(reloaded);
    try {
      expect((await chat(bobToken, "strict")).status).toBe(200);
      expect(sentKey("/openai")).toBe(central.strict);
      const keys = (await call("GET", "/v1/me/keys", bobToken)).json.keys;
      expect(keys.map((entry: { providerId: string }) => entry.providerId)).not.toContain("strict");
      expect((await call("PUT", "/v1/me/keys/strict", bobToken, { key: "sk-2" })).status).toBe(403);
      const removed = await call("DELETE", "/v1/me/keys/strict", bobToken);
      expect(removed.json).toEqual({ providerId: "strict", status: "no_key", deleted: true });
      expect((await call("DELETE", "/v1/me/keys/strict", bobToken)).status).toBe(403);
    } finally {
      await writeFile(file, original);
      const back = await loadConfigFile(file, {});
      if (back.ok) await gateway.reload(back);
    }
  });
});

describe("master key rotation while the gateway runs", () => {
  it("keys resealed under a new generated key are still used, without a restart", async () => {
    expect((await call("PUT", "/v1/me/keys/byok", aliceToken, { key: aliceKey })).status).toBe(200);
    const keys = await loadMasterKeys({
      secrets: undefined,
      env: {},
      storageUrl: `sqlite:${join(dir, "data", "tollgate.db")}`,
      baseDir: dir,
    });
    const before = keys.ring!.current.id;
    const rotation = await rotateMasterKey(gateway.store, keys);
    expect(rotation.keyId).not.toBe(before);
    await gateway.directory.refresh();
    expect((await messages(aliceToken, "byok")).status).toBe(200);
    expect(sentKey("/anthropic")).toBe(aliceKey);
  });
});

describe("central keys through the admin API", () => {
  it("a provider without a key is unavailable until an administrator sets one; the key is never shown", async () => {
    expect((await chat(bobToken, "later")).status).toBe(503);
    const before = await call("GET", "/admin/api/providers/later", adminToken);
    expect(before.json).toMatchObject({ credentialMode: "unavailable", storedCentralKey: false });

    const set = await call("PUT", "/admin/api/providers/later/key", adminToken, { key: storedCentral });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({
      credentialMode: "central-key",
      centralKeySource: "admin-api",
      storedCentralKey: true,
    });
    expect(set.text).not.toContain(storedCentral.slice(-8));
    expect((await chat(bobToken, "later")).status).toBe(200);
    expect(sentKey("/openai")).toBe(storedCentral);
    expect(await listed(bobToken)).toContain("later::v1::text");

    const all = await call("GET", "/admin/api/providers", adminToken);
    expect(all.text).not.toContain(storedCentral);
    expect(all.json.providers.map((provider: { id: string }) => provider.id)).toEqual([
      "byok",
      "fallback",
      "strict",
      "later",
    ]);
    expect(all.json.providers.find((p: { id: string }) => p.id === "byok")).toMatchObject({
      credentialMode: "user-keys",
      userKeysSaved: 1,
    });

    const cleared = await call("DELETE", "/admin/api/providers/later/key", adminToken);
    expect(cleared.json).toMatchObject({ cleared: true, credentialMode: "unavailable" });
    expect((await chat(bobToken, "later")).status).toBe(503);
  });

  it("only admins may set keys; a central key for a provider with central keys off is refused", async () => {
    const readonly = await call("POST", "/admin/api/tokens", adminToken, { name: "ro", role: "readonly" });
    const roToken = readonly.json.token as string;
    expect((await call("GET", "/admin/api/providers", roToken)).status).toBe(200);
    expect((await call("PUT", "/admin/api/providers/later/key", roToken, { key: "sk-x" })).status).toBe(403);
    expect((await call("PUT", "/admin/api/providers/later/key", aliceToken, { key: "sk-x" })).status).toBe(
      403,
    );
    const off = await call("PUT", "/admin/api/providers/byok/key", adminToken, { key: "sk-x" });
    expect(off.status).toBe(400);
    expect(off.json.error.message).toContain("centralKey");
  });
});
