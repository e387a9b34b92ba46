import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudMock, startCloudMock } from "../mock-upstream/cloud-mock.js";
import { type OAuthTokenServer, startOAuthTokenServer } from "../mock-upstream/oauth-token-server.js";
import { awsRegion, cloudToken, modelNames, type RunningGateway, startGatewayFor } from "./cloud-harness.js";

/**
 * Users' own keys for cloud providers: a Bedrock key is SigV4 access keys or a Bedrock API key by its shape,
 * checked by the mock's SigV4 verifier; a Vertex key must be a service account.
 */

const userKeyId = "AKIAUSEROWNEXAMPLE";
const userSecret = "user/K7MDENG+bPxRfiCYEXAMPLEKEY000000000";
const userBearer = "ABSKdXNlcnMtb3duLWJlZHJvY2sta2V5LTAxMjM0NQ==";

let dir: string;
let oauth: OAuthTokenServer;
let cloud: CloudMock;
let running: RunningGateway;

function config(mock: string, storage: string): string {
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "bedrock",
          serverSideConfig: { type: "awsBedrock", endpoint: `${mock}/bedrock`, region: awsRegion },
          keyPolicy: { centralKey: false, allowUserKeys: true },
        },
        {
          id: "vertex",
          serverSideConfig: {
            type: "google",
            endpoint: `${mock}/vertex/v1/projects/p/locations/us-central1`,
          },
          keyPolicy: { centralKey: false, allowUserKeys: true },
        },
      ],
      modelOverrides: [
        {
          modelRef: "bedrock::v1::nova",
          displayName: "nova",
          modelName: modelNames.converse,
          capabilities: ["chat"],
          category: "balanced",
          status: "stable",
          contextWindow: { maxInputTokens: 10_000, maxOutputTokens: 1000 },
        },
      ],
      defaultModels: { chat: "bedrock::v1::nova", fastChat: "bedrock::v1::nova", codeCompletion: "" },
    },
  });
}

async function newUser(): Promise<string> {
  const response = await fetch(`${running.url}/admin/api/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${cloudToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "user", role: "user" }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function saveKey(token: string, provider: string, key: string) {
  const response = await fetch(`${running.url}/v1/me/keys/${provider}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ key }),
  });
  return { status: response.status, text: await response.text() };
}

const ask = (token: string) =>
  new OpenAI({ baseURL: `${running.url}/v1`, apiKey: token, maxRetries: 0 }).chat.completions.create({
    model: "bedrock::v1::nova",
    messages: [{ role: "user", content: "hi" }],
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-e2e-bedrock-keys-"));
  oauth = await startOAuthTokenServer();
  cloud = await startCloudMock({
    geminiKeys: [],
    oauth,
    aws: { region: awsRegion, secrets: { [userKeyId]: userSecret }, bearerKeys: [userBearer] },
  });
  running = await startGatewayFor(dir, config(cloud.url, join(dir, "tollgate.db")));
});

afterAll(async () => {
  await running?.close();
  await cloud?.close();
  await oauth?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("users' own cloud keys", () => {
  it("a caller's SigV4 keys sign their requests; another caller's Bedrock API key is sent as a bearer token", async () => {
    const signing = await newUser();
    const bearer = await newUser();
    await expect(ask(signing)).rejects.toMatchObject({ status: 403 });
    expect((await saveKey(signing, "bedrock", `${userKeyId}:${userSecret}`)).status).toBe(200);
    expect((await saveKey(bearer, "bedrock", userBearer)).status).toBe(200);

    await ask(signing);
    expect(cloud.lastBedrock()).toMatchObject({
      auth: "sigv4",
      verdict: { ok: true, accessKeyId: userKeyId },
    });
    await ask(bearer);
    expect(cloud.lastBedrock().auth).toBe("bearer");
    expect(cloud.lastBedrock().request.headers.authorization).toBe(`Bearer ${userBearer}`);
    // Each caller keeps their own credentials.
    await ask(signing);
    expect(cloud.lastBedrock().verdict).toEqual({ ok: true, accessKeyId: userKeyId });

    const logs = running.logs.join("\n");
    expect(logs).not.toContain(userSecret);
    expect(logs).not.toContain(userBearer);
  });

  it("refuses a Bedrock key of the wrong shape and a Vertex key that is not a service account", async () => {
    const user = await newUser();
    const malformed = await saveKey(user, "bedrock", "AKIA:secret:token:extra");
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain("ACCESS_KEY_ID:SECRET_ACCESS_KEY");
    const vertex = await saveKey(user, "vertex", "not-a-service-account");
    expect(vertex.status).toBe(400);
    expect(vertex.text).toContain("service account");
    expect(vertex.text).not.toContain("not-a-service-account");
  });
});
