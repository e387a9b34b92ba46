import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type OAuthTokenServer, startOAuthTokenServer } from "../../test/mock-upstream/oauth-token-server.js";
import { GatewayError } from "../errors/index.js";
import { createGoogleOAuthSigner } from "./google-oauth.js";
import type { SigningRequest } from "./signer.js";

const REQUEST: SigningRequest = {
  method: "POST",
  url: new URL(
    "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4:streamRawPredict",
  ),
  headers: { "content-type": "application/json" },
  body: "{}",
};

const bearer = (headers: Record<string, string>) => (headers.authorization ?? "").replace(/^Bearer /, "");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: OAuthTokenServer;
let directory: string;
beforeAll(async () => {
  server = await startOAuthTokenServer();
  directory = await mkdtemp(join(tmpdir(), "tollgate-google-"));
});
afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});
afterEach(() => {
  server.expiresIn = 3600;
  server.delayMs = 0;
  vi.unstubAllEnvs();
});

describe("createGoogleOAuthSigner with a service account key", () => {
  it("posts a signed assertion to the key's token_uri and sends the token as a bearer", async () => {
    const account = server.serviceAccount();
    const before = server.fetches();
    const sign = createGoogleOAuthSigner({ kind: "service-account-json", json: account.json });
    const headers = await sign(REQUEST);
    expect(Object.keys(headers)).toEqual(["authorization"]);
    expect(headers.authorization).toMatch(/^Bearer ya29\.mock-/);
    expect(server.accepts(bearer(headers))).toBe(true);
    expect(server.fetches() - before).toBe(1);
    expect(sign.tokenFetches()).toBe(1);
  });

  it("shares one fetch among concurrent attempts and reuses the token until it is about to expire", async () => {
    const account = server.serviceAccount();
    server.expiresIn = 3;
    server.delayMs = 200;
    const before = server.fetches();
    const sign = createGoogleOAuthSigner(
      { kind: "service-account-json", json: account.json },
      { refreshBeforeExpiryMs: 1_000 },
    );

    const first = await Promise.all(Array.from({ length: 10 }, () => sign(REQUEST)));
    expect(new Set(first.map(bearer)).size).toBe(1);
    for (let index = 0; index < 5; index++) expect(await sign(REQUEST)).toEqual(first[0]);
    expect(server.fetches() - before).toBe(1);
    expect(sign.tokenFetches()).toBe(1);

    // Within a second of expiry: one new fetch, shared again.
    await sleep(2_100);
    const second = await Promise.all(Array.from({ length: 10 }, () => sign(REQUEST)));
    expect(new Set(second.map(bearer)).size).toBe(1);
    expect(bearer(second[0]!)).not.toBe(bearer(first[0]!));
    expect(server.accepts(bearer(second[0]!))).toBe(true);
    expect(server.fetches() - before).toBe(2);
    expect(sign.tokenFetches()).toBe(2);
  });

  it("fails as upstream_auth_failed when the token endpoint refuses the key, without echoing it", async () => {
    const account = JSON.parse(server.serviceAccount().json) as Record<string, string>;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const sign = createGoogleOAuthSigner({
      kind: "service-account-json",
      json: JSON.stringify({ ...account, private_key: forged }),
    });
    const failure = await sign(REQUEST).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ code: "upstream_auth_failed" });
    const message = (failure as Error).message;
    expect(message).toContain("invalid JWT signature");
    expect(message).not.toContain("PRIVATE KEY");
    expect(message).not.toContain("eyJ");
    expect((failure as Error).cause).toBeUndefined();
    expect(sign.tokenFetches()).toBe(0);
  });

  it("uses the fetch it is given and gives up waiting on abort", async () => {
    const account = server.serviceAccount();
    const urls: string[] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      urls.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    server.delayMs = 300;
    const sign = createGoogleOAuthSigner({ kind: "service-account-json", json: account.json }, { fetchImpl });
    const controller = new AbortController();
    const attempt = sign(REQUEST, controller.signal);
    controller.abort(new Error("client went away"));
    await expect(attempt).rejects.toThrow("client went away");
    // The shared fetch went on and serves the next attempt.
    expect(server.accepts(bearer(await sign(REQUEST)))).toBe(true);
    expect(urls).toEqual([server.tokenUri]);
    expect(sign.tokenFetches()).toBe(1);
  });

  it("refuses a key that is not a service account key when it is built", () => {
    expect(() => createGoogleOAuthSigner({ kind: "service-account-json", json: "not json" })).toThrow(
      "the service account key is not JSON",
    );
    expect(() =>
      createGoogleOAuthSigner({
        kind: "service-account-json",
        json: JSON.stringify({ type: "external_account" }),
      }),
    ).toThrow("not service_account");
    expect(() => createGoogleOAuthSigner({ kind: "service-account-json", json: "{}" })).toThrow(
      "lacks client_email",
    );
    expect(() => createGoogleOAuthSigner({ kind: "workload-identity" })).toThrow(
      "credentialsFile or credentialsJSON",
    );
  });
});

describe("createGoogleOAuthSigner with workload identity and ADC", () => {
  async function externalAccount(subject: string): Promise<string> {
    const file = join(directory, `subject-${subject}`);
    await writeFile(file, subject);
    server.subjectToken(subject);
    return JSON.stringify({
      type: "external_account",
      audience:
        "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/tollgate",
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: server.stsUri,
      credential_source: { file },
    });
  }

  it("exchanges the subject token at the config's token_url (base64 credentialsJSON), once for concurrent attempts", async () => {
    const json = await externalAccount("k8s-service-account-token");
    server.delayMs = 200;
    const before = server.fetches();
    const sign = createGoogleOAuthSigner({
      kind: "workload-identity",
      credentialsJSON: Buffer.from(json).toString("base64"),
    });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => sign(REQUEST)));
    expect(new Set(tokens.map(bearer)).size).toBe(1);
    expect(server.accepts(bearer(tokens[0]!))).toBe(true);
    await sign(REQUEST);
    expect(server.fetches() - before).toBe(1);
    expect(sign.tokenFetches()).toBe(1);
  });

  it("reads a credentials file", async () => {
    const file = join(directory, "external-account.json");
    await writeFile(file, await externalAccount("file-subject-token"));
    const sign = createGoogleOAuthSigner({ kind: "workload-identity", credentialsFile: file });
    expect(server.accepts(bearer(await sign(REQUEST)))).toBe(true);
  });

  it("finds a service account key through GOOGLE_APPLICATION_CREDENTIALS, honouring its token_uri", async () => {
    const file = join(directory, "adc.json");
    await writeFile(file, server.serviceAccount().json);
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", file);
    const sign = createGoogleOAuthSigner({ kind: "adc" });
    expect(server.accepts(bearer(await sign(REQUEST)))).toBe(true);
    expect(sign.tokenFetches()).toBe(1);
  });
});
