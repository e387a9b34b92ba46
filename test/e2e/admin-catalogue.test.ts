import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/token.js";
import type { Gateway } from "../../src/server/gateway.js";
import { testRedis, within } from "../auth/redis.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { startReplicas } from "../support/replicas.js";

/**
 * Issue 17: providers, models and defaults made through the admin API live in the store and serve on every
 * replica within seconds; the config file's are read-only; keys never come back out.
 */

const tokens = {
  admin: `tg_admin_${randomBytes(12).toString("hex")}`,
  readonly: `tg_ro_${randomBytes(12).toString("hex")}`,
  user: `tg_user_${randomBytes(12).toString("hex")}`,
};
const centralKey = `sk-central-${randomBytes(12).toString("hex")}`;
const masterKey = randomBytes(32).toString("base64");
const envReference = (name: string) => `$\{${name}}`;

const redis = testRedis();
const schema = randomSchemaName();
let dir: string;
let mock: MockUpstream;
let replicas: Gateway[] = [];
let configFile: string;
let configText: string;

async function call(
  gateway: Gateway,
  method: string,
  path: string,
  body?: unknown,
  token: string = tokens.admin,
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {}
  return { status: response.status, json, text };
}

const chat = (gateway: Gateway, model: string) =>
  call(
    gateway,
    "POST",
    "/v1/chat/completions",
    { model, max_tokens: 20, messages: [{ role: "user", content: "hi" }] },
    tokens.user,
  );

const errorOf = (answer: { json: Record<string, unknown> }) =>
  answer.json.error as { message: string; param?: string | null };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-admin-catalogue-"));
  mock = await startMockUpstream();
  const config = {
    storage: { url: withSchema(await postgresUrl(), schema) },
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: redis.keyPrefix },
    secrets: { masterKey: envReference("TEST_MASTER_KEY") },
    actors: [
      { id: "root", role: "admin", tokens: [{ sha256: hashToken(tokens.admin) }] },
      { id: "watcher", role: "readonly", tokens: [{ sha256: hashToken(tokens.readonly) }] },
      { id: "dev", role: "user", tokens: [{ sha256: hashToken(tokens.user) }] },
    ],
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "filed",
          serverSideConfig: { type: "anthropic", endpoint: `${mock.url}/anthropic`, accessToken: "k" },
        },
      ],
      modelOverrides: [
        {
          modelRef: "filed::v1::text",
          displayName: "text",
          modelName: "text",
          capabilities: ["chat"],
          category: "balanced",
          status: "stable",
          contextWindow: { maxInputTokens: 10_000, maxOutputTokens: 1000 },
        },
      ],
      defaultModels: { chat: "filed::v1::text" },
    },
  };
  const started = await startReplicas({ dir, config, env: { TEST_MASTER_KEY: masterKey }, reloadable: true });
  replicas = started.gateways;
  configFile = started.file;
  configText = started.text;
});

afterAll(async () => {
  await Promise.all(replicas.map((gateway) => gateway.close()));
  replicas = [];
  await mock?.close();
  await redis.cleanup();
  await dropSchemas([schema]);
  await rm(dir, { recursive: true, force: true });
});

describe("providers and models through the admin API, across replicas", () => {
  it("a provider and model made on one replica serve on the other within seconds, with the stored key", async () => {
    const [one, other] = replicas as [Gateway, Gateway];
    const created = await call(one, "POST", "/admin/api/providers", {
      id: "team-openai",
      displayName: "Team OpenAI",
      serverSideConfig: { type: "openai", endpoint: `${mock.url}/openai` },
      centralKey,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: "team-openai",
      source: "database",
      editable: true,
      credentialMode: "central-key",
      storedCentralKey: true,
    });
    expect(created.text).not.toContain(centralKey);

    const model = await call(one, "POST", "/admin/api/models", {
      modelRef: "team-openai::v1::text",
      displayName: "Team text",
      capabilities: ["chat"],
      contextWindow: { maxInputTokens: 8000, maxOutputTokens: 1000 },
      pricing: { input: 2, output: 8 },
    });
    expect(model.status).toBe(201);
    expect(model.json).toMatchObject({ ref: "team-openai::v1::text", source: "database", available: true });

    const seen = await within(3_000, async () => (await chat(other, "team-openai::v1::text")).status === 200);
    expect(seen).toBeLessThan(3_000);
    expect(mock.last("/openai").headers.authorization).toBe(`Bearer ${centralKey}`);

    const listed = await call(other, "GET", "/admin/api/models");
    const row = (listed.json.models as { ref: string; source: string }[]).find(
      (entry) => entry.ref === "team-openai::v1::text",
    );
    expect(row?.source).toBe("database");
    const config = await call(other, "GET", "/admin/api/config");
    expect(config.status).toBe(200);
    expect(config.text).not.toContain(centralKey);
    expect(config.text).not.toContain(hashToken(tokens.admin));
    expect(config.text).not.toContain(masterKey);
    expect(config.text).toContain("<redacted>");
    expect(config.json.stored).toMatchObject({
      providers: ["team-openai"],
      models: ["team-openai::v1::text"],
    });
  });

  it("defaults: the file's are read-only, others are set through the API and used by `default`", async () => {
    const [one, other] = replicas as [Gateway, Gateway];
    const fileOwned = await call(one, "PUT", "/admin/api/defaults", { chat: "team-openai::v1::text" });
    expect(fileOwned.status).toBe(409);
    expect(errorOf(fileOwned).message).toContain("modelConfiguration.defaultModels.chat");

    const set = await call(one, "PUT", "/admin/api/defaults", { fastChat: "team-openai::v1::text" });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({
      defaults: { fastChat: "team-openai::v1::text" },
      sources: { chat: "file", fastChat: "database" },
    });
    const unknown = await call(one, "PUT", "/admin/api/defaults", { codeCompletion: "nope::v1::none" });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown).message).toContain("nope::v1::none");

    await within(3_000, async () => {
      const listed = await call(other, "GET", "/admin/api/models/team-openai%3A%3Av1%3A%3Atext");
      return (listed.json.defaultFor as string[] | undefined)?.includes("fastChat") === true;
    });
    const inUse = await call(one, "DELETE", "/admin/api/models/team-openai%3A%3Av1%3A%3Atext");
    expect(inUse.status).toBe(409);
    expect(errorOf(inUse).message).toContain("default for fastChat");
    expect((await call(one, "PUT", "/admin/api/defaults", { fastChat: null })).json).toMatchObject({
      sources: { fastChat: "automatic" },
    });
  });

  it("refuses what a config file would refuse, naming the field, and the file's entries are read-only", async () => {
    const [one] = replicas as [Gateway];
    const duplicate = await call(one, "POST", "/admin/api/providers", {
      id: "filed",
      serverSideConfig: { type: "openai" },
    });
    expect(duplicate.status).toBe(409);
    expect(errorOf(duplicate).message).toContain("declared in the config file");
    expect((await call(one, "PATCH", "/admin/api/providers/filed", { displayName: "x" })).status).toBe(409);
    expect((await call(one, "DELETE", "/admin/api/models/filed%3A%3Av1%3A%3Atext")).status).toBe(409);

    const secret = await call(one, "POST", "/admin/api/providers", {
      id: "leaky",
      serverSideConfig: { type: "openai", accessToken: "sk-in-the-settings" },
    });
    expect(secret.status).toBe(400);
    expect(errorOf(secret).param).toBe("serverSideConfig.accessToken");
    expect(secret.text).not.toContain("sk-in-the-settings");

    const badType = await call(one, "POST", "/admin/api/providers", {
      id: "odd",
      serverSideConfig: { type: "nonsense" },
    });
    expect(badType.status).toBe(400);
    expect(errorOf(badType).param).toBe("serverSideConfig.type");

    const orphan = await call(one, "POST", "/admin/api/models", {
      modelRef: "missing-provider::v1::m",
      capabilities: ["chat"],
      contextWindow: { maxInputTokens: 1000, maxOutputTokens: 100 },
    });
    expect(orphan.status, orphan.text).toBe(400);
    expect(errorOf(orphan).message).toContain("missing-provider");

    const again = await call(one, "POST", "/admin/api/providers", {
      id: "team-openai",
      serverSideConfig: { type: "openai" },
    });
    expect(again.status).toBe(409);
  });

  it("a provider with models cannot be deleted; once they are gone it goes with its keys, on every replica", async () => {
    const [one, other] = replicas as [Gateway, Gateway];
    const busy = await call(one, "DELETE", "/admin/api/providers/team-openai");
    expect(busy.status).toBe(409);
    expect(errorOf(busy).message).toContain("team-openai::v1::text");

    const patched = await call(one, "PATCH", "/admin/api/models/team-openai%3A%3Av1%3A%3Atext", {
      displayName: "Renamed",
      pricing: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ displayName: "Renamed" });
    expect(patched.json.pricing).toBeUndefined();

    expect((await call(one, "DELETE", "/admin/api/models/team-openai%3A%3Av1%3A%3Atext")).status).toBe(200);
    expect((await call(one, "DELETE", "/admin/api/providers/team-openai")).status).toBe(200);
    const gone = await within(3_000, async () => (await chat(other, "team-openai::v1::text")).status === 404);
    expect(gone).toBeLessThan(3_000);
    expect((await call(other, "GET", "/admin/api/providers/team-openai")).status).toBe(404);
    const keys = await replicas[0]!.store.providerKeys.list();
    expect(keys.some((key) => key.providerId === "team-openai")).toBe(false);
    const audit = await call(one, "GET", "/admin/api/audit?target=team-openai");
    const actions = (audit.json.entries as { action: string }[]).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(["provider-create", "provider-delete"]));
  });

  it("readonly tokens read and cannot write; user tokens cannot read", async () => {
    const [one] = replicas as [Gateway];
    expect((await call(one, "GET", "/admin/api/providers", undefined, tokens.readonly)).status).toBe(200);
    const write = await call(
      one,
      "POST",
      "/admin/api/providers",
      { id: "nope", serverSideConfig: { type: "openai" } },
      tokens.readonly,
    );
    expect(write.status).toBe(403);
    expect((await call(one, "GET", "/admin/api/providers", undefined, tokens.user)).status).toBe(403);
    const me = await call(one, "GET", "/admin/api/me", undefined, tokens.user);
    expect(me.json).toMatchObject({ actorId: "dev", role: "user" });
  });

  it("reloads the config file through the API; an invalid file is refused and the running one kept", async () => {
    const [one, other] = replicas as [Gateway, Gateway];
    const reloaded = await call(one, "POST", "/admin/api/config/reload");
    expect(reloaded.status).toBe(200);
    expect(reloaded.json).toMatchObject({ reloaded: true });
    expect((await call(one, "POST", "/admin/api/config/reload", undefined, tokens.readonly)).status).toBe(
      403,
    );

    await writeFile(configFile, configText.replace('"anthropic"', '"not-a-type"'));
    const refused = await call(one, "POST", "/admin/api/config/reload");
    expect(refused.status).toBe(400);
    expect(errorOf(refused).message).toContain("the running configuration is kept");
    expect((await chat(one, "filed::v1::text")).status).not.toBe(404);
    await writeFile(configFile, configText);

    const noFile = await call(other, "POST", "/admin/api/config/reload");
    expect(noFile.status).toBe(409);
  });

  it("refuses what the store cannot keep, files on the gateway's disk, and changes that break other entries", async () => {
    const [one] = replicas as [Gateway];
    const nul = await call(one, "POST", "/admin/api/providers", {
      id: "nul",
      displayName: "bad\u0000name",
      serverSideConfig: { type: "openai" },
    });
    expect(nul.status).toBe(400);
    expect(errorOf(nul).param).toBe("displayName");
    const file = await call(one, "POST", "/admin/api/providers", {
      id: "gcp",
      serverSideConfig: { type: "google", googleWorkloadIdentityConfig: { credentialsFile: "/etc/passwd" } },
    });
    expect(file.status).toBe(400);
    expect(errorOf(file).param).toBe("serverSideConfig.googleWorkloadIdentityConfig.credentialsFile");

    expect(
      (
        await call(one, "POST", "/admin/api/providers", {
          id: "switcher",
          serverSideConfig: { type: "openai", endpoint: `${mock.url}/openai` },
        })
      ).status,
    ).toBe(201);
    const model = await call(one, "POST", "/admin/api/models", {
      modelRef: "switcher::v1::thinker",
      capabilities: ["chat"],
      contextWindow: { maxInputTokens: 8000, maxOutputTokens: 1000 },
      options: { reasoningEffort: "high" },
    });
    expect(model.status).toBe(201);
    const breaking = await call(one, "PATCH", "/admin/api/providers/switcher", {
      serverSideConfig: { type: "anthropic", endpoint: `${mock.url}/anthropic` },
    });
    expect(breaking.status).toBe(400);
    expect(errorOf(breaking).message).toContain("model `switcher::v1::thinker` would break");
    expect((await call(one, "DELETE", "/admin/api/models/switcher%3A%3Av1%3A%3Athinker")).status).toBe(200);
    expect((await call(one, "DELETE", "/admin/api/providers/switcher")).status).toBe(200);
  });

  it("concurrent changes: defaults of different features all kept; of two edits from one version, one wins", async () => {
    const [one, other] = replicas as [Gateway, Gateway];
    expect(
      (
        await call(one, "POST", "/admin/api/providers", {
          id: "busy",
          serverSideConfig: { type: "openai", endpoint: `${mock.url}/openai` },
        })
      ).status,
    ).toBe(201);
    const model = {
      modelRef: "busy::v1::m",
      capabilities: ["chat", "autocomplete"],
      contextWindow: { maxInputTokens: 8000, maxOutputTokens: 1000 },
    };
    expect((await call(one, "POST", "/admin/api/models", model)).status).toBe(201);
    await within(
      3_000,
      async () => (await call(other, "GET", "/admin/api/models/busy%3A%3Av1%3A%3Am")).status === 200,
    );
    const answers = await Promise.all([
      call(one, "PUT", "/admin/api/defaults", { fastChat: "busy::v1::m" }),
      call(other, "PUT", "/admin/api/defaults", { codeCompletion: "busy::v1::m" }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const kept = await within(3_000, async () => {
      const defaults = await call(one, "GET", "/admin/api/defaults");
      return (
        (defaults.json.sources as Record<string, string>).fastChat === "database" &&
        (defaults.json.sources as Record<string, string>).codeCompletion === "database"
      );
    });
    expect(kept).toBeLessThan(3_000);

    const edits = await Promise.all(
      ["A", "B", "C", "D"].map((name, index) =>
        call(index % 2 === 0 ? one : other, "PATCH", "/admin/api/models/busy%3A%3Av1%3A%3Am", {
          displayName: name,
        }),
      ),
    );
    const statuses = edits.map((answer) => answer.status);
    expect(statuses).toContain(200);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    expect(
      (await call(one, "PUT", "/admin/api/defaults", { fastChat: null, codeCompletion: null })).status,
    ).toBe(200);
    expect((await call(one, "DELETE", "/admin/api/models/busy%3A%3Av1%3A%3Am")).status).toBe(200);
    expect((await call(one, "DELETE", "/admin/api/providers/busy")).status).toBe(200);
  });
});
