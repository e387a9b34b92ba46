import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/token.js";
import type { Gateway } from "../../src/server/gateway.js";
import { startTestGateway } from "../support/gateway.js";

/**
 * Issue 14: every admin change is in the audit log (who, what, before and after, when) and readable through
 * `GET /admin/api/audit`. Real gateway on a fresh SQLite store; the admin token is the one generated on first start.
 */

const aliceToken = "tg_alice_audit_log_0123456789abcdef";
const aliceKey = "sk-ant-alice-audit-own-key-7c6b5a49";
const centralKey = "sk-central-audit-admin-api-3e2d1c0b";

function config(storage: string): string {
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    actors: [{ id: "alice", name: "alice", role: "user", tokens: [{ sha256: hashToken(aliceToken) }] }],
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "byok",
          serverSideConfig: { type: "anthropic", endpoint: "http://127.0.0.1:9/anthropic" },
          keyPolicy: { centralKey: false, allowUserKeys: true },
        },
        // No key in the file: an administrator sets one through the admin API.
        {
          id: "later",
          serverSideConfig: { type: "openai", endpoint: "http://127.0.0.1:9/openai", accessToken: "" },
        },
      ],
      modelOverrides: [
        {
          modelRef: "byok::v1::text",
          modelName: "text",
          capabilities: ["chat"],
          category: "balanced",
          status: "stable",
          contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
        },
      ],
      defaultModels: { chat: "byok::v1::text", fastChat: "byok::v1::text", codeCompletion: "" },
    },
  });
}

let dir: string;
let gateway: Gateway;
let adminToken = "";
/** Tokens handed out in this test: none may appear in an entry. */
const secrets: string[] = [];

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
  return { status: response.status, json: JSON.parse(text) as any, text };
}

interface Entry {
  id: number;
  at: string;
  actorId: string | null;
  action: string;
  target: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: details differ by action; tests pick fields.
  details: any;
}

async function audit(query = "", token = adminToken): Promise<Entry[]> {
  const answer = await call("GET", `/admin/api/audit${query}`, token);
  expect(answer.status).toBe(200);
  return answer.json.entries;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-audit-"));
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(join(dir, "data", "tollgate.db")));
  gateway = await startTestGateway({
    file,
    dir,
    onGeneratedAdminToken: (token) => {
      adminToken = token;
    },
  });
  secrets.push(adminToken, aliceToken);
});

afterAll(async () => {
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the audit log", () => {
  it("starts with the first-start admin actor and its token, made by the system", async () => {
    const entries = await audit();
    const bootstrap = entries.filter((entry) => entry.details?.via === "admin-bootstrap").reverse();
    expect(bootstrap).toEqual([
      {
        id: expect.any(Number),
        at: expect.any(String),
        actorId: null,
        action: "actor-create",
        target: "admin",
        details: expect.objectContaining({
          after: expect.objectContaining({ name: "Administrator", role: "admin" }),
        }),
      },
      {
        id: expect.any(Number),
        at: expect.any(String),
        actorId: null,
        action: "token-create",
        target: expect.stringMatching(/^tok_/),
        details: expect.objectContaining({
          after: { actorId: "admin", name: "generated on first start", expiresAt: null },
        }),
      },
    ]);
  });

  it("an actor created, then patched: before and after show only the changed fields, with who and which token", async () => {
    const created = await call("POST", "/admin/api/actors", adminToken, {
      id: "team-a",
      name: "Team A",
      allowedModels: ["byok::*"],
    });
    expect(created.status).toBe(201);
    const patched = await call("PATCH", "/admin/api/actors/team-a", adminToken, {
      name: "Team A2",
      budget: { usd: 10, period: "month" },
      allowedModels: ["byok::*"],
    });
    expect(patched.status).toBe(200);
    const [update, create] = await audit("?target=team-a");
    expect(create).toMatchObject({
      actorId: "admin",
      action: "actor-create",
      details: {
        byToken: expect.stringMatching(/^tok_/),
        after: { name: "Team A", role: "user", status: "active", allowedModels: ["byok::*"], budget: null },
      },
    });
    expect(update).toMatchObject({ actorId: "admin", action: "actor-update", target: "team-a" });
    expect(update!.details.before).toEqual({ name: "Team A", budget: null });
    expect(update!.details.after).toEqual({ name: "Team A2", budget: { usd: 10, period: "month" } });
    expect(Date.parse(update!.at)).toBeGreaterThanOrEqual(Date.parse(create!.at));
  });

  it("a token created and revoked, and the actor deleted with what it had", async () => {
    const created = await call("POST", "/admin/api/tokens", adminToken, { name: "ci", actorId: "team-a" });
    secrets.push(created.json.token);
    expect((await call("DELETE", `/admin/api/tokens/${created.json.id}`, adminToken)).status).toBe(200);
    const [revoke, create] = await audit(`?target=${created.json.id}`);
    expect(create).toMatchObject({
      action: "token-create",
      details: { after: { actorId: "team-a", name: "ci", expiresAt: null } },
    });
    expect(revoke).toMatchObject({
      action: "token-revoke",
      details: {
        before: { actorId: "team-a", name: "ci", state: "active" },
        after: { actorId: "team-a", name: "ci", state: "revoked" },
      },
    });
    expect((await call("DELETE", "/admin/api/actors/team-a", adminToken)).status).toBe(200);
    const [deleted] = await audit("?action=actor-delete");
    expect(deleted).toMatchObject({
      target: "team-a",
      details: { before: { name: "Team A2" }, tokens: 1, providerKeys: 0 },
    });
  });

  it("a user key saved and deleted: whose and which provider, never the key", async () => {
    expect((await call("PUT", "/v1/me/keys/byok", aliceToken, { key: aliceKey })).status).toBe(200);
    expect((await call("DELETE", "/v1/me/keys/byok", aliceToken)).status).toBe(200);
    const entries = await audit("?actor=alice");
    expect(entries.map(({ action, target, details }) => ({ action, target, details }))).toEqual([
      {
        action: "user-key-delete",
        target: "alice/byok",
        details: {
          byToken: "cfg:alice:0",
          providerId: "byok",
          ownerId: "alice",
          before: { keySaved: true },
          after: { keySaved: false },
        },
      },
      {
        action: "user-key-set",
        target: "alice/byok",
        details: {
          byToken: "cfg:alice:0",
          providerId: "byok",
          ownerId: "alice",
          before: { keySaved: false },
          after: { keySaved: true },
        },
      },
    ]);
  });

  it("a central key set and cleared: by whom with which token, which provider, never the key", async () => {
    expect(
      (await call("PUT", "/admin/api/providers/later/key", adminToken, { key: centralKey })).status,
    ).toBe(200);
    expect((await call("DELETE", "/admin/api/providers/later/key", adminToken)).status).toBe(200);
    const [clear, set] = await audit("?target=later");
    const byToken = set!.details.byToken;
    expect(byToken).toMatch(/^tok_/);
    expect(set).toMatchObject({
      actorId: "admin",
      action: "central-key-set",
      details: { byToken, providerId: "later", before: { keySaved: false }, after: { keySaved: true } },
    });
    expect(clear).toMatchObject({
      action: "central-key-clear",
      details: { byToken, providerId: "later", before: { keySaved: true }, after: { keySaved: false } },
    });
  });

  it("no entry holds a token, a token hash, a key, its base64 or its tail", async () => {
    const text = JSON.stringify(await audit("?limit=1000"));
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hashToken(secret));
    }
    for (const key of [aliceKey, centralKey]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(Buffer.from(key).toString("base64"));
      expect(text).not.toContain(Buffer.from(key).toString("base64url"));
      expect(text).not.toContain(key.slice(-8));
    }
  });

  it("readonly tokens may read it, user tokens get 403", async () => {
    const readonly = await call("POST", "/admin/api/tokens", adminToken, {
      name: "watcher",
      role: "readonly",
    });
    secrets.push(readonly.json.token);
    expect((await audit("?limit=1", readonly.json.token)).length).toBe(1);
    const refused = await call("GET", "/admin/api/audit", aliceToken);
    expect(refused.status).toBe(403);
  });

  it("pages newest first with `before`, and `next` is absent on the last page", async () => {
    const all = await audit("?limit=1000");
    const ids = all.map((entry) => entry.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const seen: number[] = [];
    let query = "?limit=3";
    for (;;) {
      const page = await call("GET", `/admin/api/audit${query}`, adminToken);
      seen.push(...page.json.entries.map((entry: Entry) => entry.id));
      if (page.json.next === undefined) break;
      expect(page.json.next).toBe(seen.at(-1));
      query = `?limit=3&before=${page.json.next}`;
    }
    expect(seen).toEqual(ids);
    // A page that ends exactly on the oldest entry says there is no more.
    const exact = await call("GET", `/admin/api/audit?limit=${ids.length}`, adminToken);
    expect(exact.json.next).toBeUndefined();
  });

  it("filters by time", async () => {
    const all = await audit("?limit=1000");
    const newest = all[0]!;
    const from = encodeURIComponent(newest.at);
    expect((await audit(`?from=${from}`)).map((entry) => entry.id)).toContain(newest.id);
    expect((await audit(`?to=${from}`)).map((entry) => entry.id)).not.toContain(newest.id);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=1001", "limit"],
    ["limit=ten", "limit"],
    ["before=-1", "before"],
    ["from=yesterday", "from"],
    ["to=2025-01-01", "to"],
    ["from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "to"],
    ["actor=", "actor"],
    ["action=a&action=b", "action"],
    ["sort=asc", "sort"],
  ])("refuses %s with a 400 naming the field", async (query, field) => {
    const answer = await call("GET", `/admin/api/audit?${query}`, adminToken);
    expect(answer.status).toBe(400);
    expect(answer.json.error.param).toBe(field);
  });
});
