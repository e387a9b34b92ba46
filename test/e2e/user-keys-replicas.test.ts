import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/token.js";
import type { Gateway } from "../../src/server/gateway.js";
import { testRedis, within } from "../auth/redis.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { startReplicas } from "../support/replicas.js";

/**
 * Issue 13's "done means": two replicas sharing Postgres and Redis agree within a second after a key is saved
 * or removed on one of them, and a Postgres dump holds no plaintext key.
 */

const userToken = `tg_user_${randomBytes(12).toString("hex")}`;
const ownKey = `sk-ant-own-${randomBytes(12).toString("hex")}`;
const masterKey = randomBytes(32).toString("base64");

/** `${NAME}` in the config: the gateway reads the master key from its environment. */
const envReference = (name: string) => `$\{${name}}`;

const redis = testRedis();
const schema = randomSchemaName();
let dir: string;
let mock: MockUpstream;
let replicas: Gateway[] = [];

async function call(gateway: Gateway, method: string, path: string, body?: unknown) {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${userToken}`,
      "anthropic-version": "2023-06-01",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response.status;
}

const ask = (gateway: Gateway) =>
  call(gateway, "POST", "/v1/messages", {
    model: "byok::v1::text",
    max_tokens: 20,
    messages: [{ role: "user", content: "hi" }],
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-key-replicas-"));
  mock = await startMockUpstream();
  const storage = withSchema(await postgresUrl(), schema);
  const config = {
    storage: { url: storage },
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: redis.keyPrefix },
    secrets: { masterKey: envReference("TEST_MASTER_KEY") },
    actors: [{ id: "user", name: "User", role: "user", tokens: [{ sha256: hashToken(userToken) }] }],
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "byok",
          serverSideConfig: { type: "anthropic", endpoint: `${mock.url}/anthropic` },
          keyPolicy: { centralKey: false, allowUserKeys: true },
        },
      ],
      modelOverrides: [
        {
          modelRef: "byok::v1::text",
          displayName: "text",
          modelName: "text",
          capabilities: ["chat"],
          category: "balanced",
          status: "stable",
          contextWindow: { maxInputTokens: 10_000, maxOutputTokens: 1000 },
        },
      ],
      defaultModels: { chat: "byok::v1::text", fastChat: "byok::v1::text", codeCompletion: "" },
    },
  };
  const env = { TEST_MASTER_KEY: masterKey };
  replicas = (await startReplicas({ dir, config, env })).gateways;
});

afterAll(async () => {
  await Promise.all(replicas.map((gateway) => gateway.close()));
  replicas = [];
  await mock?.close();
  await redis.cleanup();
  await dropSchemas([schema]);
  await rm(dir, { recursive: true, force: true });
});

describe("users' keys across replicas", () => {
  it("a key saved on one replica is used by the other within a second, and a removal too", async () => {
    const [one, other] = replicas as [Gateway, Gateway];
    expect(await ask(other)).toBe(403);
    expect(await call(one, "PUT", "/v1/me/keys/byok", { key: ownKey })).toBe(200);
    const saved = await within(1_000, async () => (await ask(other)) === 200);
    expect(saved).toBeLessThan(1_000);
    expect(mock.last("/anthropic").headers["x-api-key"]).toBe(ownKey);

    expect(await call(one, "DELETE", "/v1/me/keys/byok")).toBe(200);
    const removed = await within(1_000, async () => (await ask(other)) === 403);
    expect(removed).toBeLessThan(1_000);
  });

  it("a Postgres dump of the gateway's schema holds no plaintext key", async () => {
    const [one] = replicas as [Gateway];
    expect(await call(one, "PUT", "/v1/me/keys/byok", { key: ownKey })).toBe(200);
    const url = new URL(await postgresUrl());
    const { stdout } = await promisify(execFile)(
      "pg_dump",
      [
        "-h",
        url.hostname,
        "-p",
        url.port || "5432",
        ...(url.username ? ["-U", decodeURIComponent(url.username)] : []),
        "-n",
        schema,
        url.pathname.slice(1),
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    expect(stdout).toContain("provider_keys");
    expect(stdout).toContain(ownKey.slice(-4));
    expect(stdout).not.toContain(ownKey);
    expect(stdout).not.toContain(Buffer.from(ownKey).toString("base64"));
  });
});
