import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach, describe, expect, it, vi } from "vitest";
import { canonicalUri, type ReceivedRequest, verifySigV4 } from "../../test/mock-upstream/sigv4-verifier.js";
import { GatewayError } from "../errors/index.js";
import {
  bedrockModelPath,
  bedrockRegion,
  bedrockRuntimeUrl,
  createSigV4Signer,
  parseBedrockAccessToken,
} from "./aws-sigv4.js";
import type { SigningRequest } from "./signer.js";

const KEYS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const SECRETS = { [KEYS.accessKeyId]: KEYS.secretAccessKey };
const REGION = "us-west-2";
const BEDROCK = { region: REGION, service: "bedrock" };
const ARN = "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/57z3lgkt1cx2";
const BODY = JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 16, messages: [] });

function invokeRequest(modelId: string, body = BODY): SigningRequest {
  const url = new URL(bedrockModelPath(modelId, "invoke"), bedrockRuntimeUrl(REGION));
  return {
    method: "POST",
    url,
    headers: { "content-type": "application/json", accept: "application/json" },
    body,
  };
}

/** What the upstream receives: the signed request plus the signer's headers, `host` as the client sends it. */
function received(request: SigningRequest, added: Record<string, string>): ReceivedRequest {
  return {
    method: request.method,
    path: request.url.pathname,
    query: request.url.search.slice(1),
    headers: { ...request.headers, ...added, host: request.url.host },
    body: request.body,
  };
}

describe("createSigV4Signer with static keys", () => {
  const sign = createSigV4Signer({ region: REGION, credentials: { kind: "static", ...KEYS } });

  it("returns only the headers it adds, and they verify independently", async () => {
    const request = invokeRequest("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    const added = await sign(request);
    expect(Object.keys(added).sort()).toEqual(["authorization", "x-amz-content-sha256", "x-amz-date"]);
    expect(added.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(verifySigV4(received(request, added), SECRETS, BEDROCK)).toEqual({
      ok: true,
      accessKeyId: "AKIDEXAMPLE",
    });
  });

  it("signs a provisioned-throughput ARN as one segment, its canonical path encoded twice", async () => {
    const request = invokeRequest(ARN);
    expect(request.url.pathname).toBe(
      "/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Aprovisioned-model%2F57z3lgkt1cx2/invoke",
    );
    expect(canonicalUri(request.url.pathname)).toBe(
      "/model/arn%253Aaws%253Abedrock%253Aus-west-2%253A123456789012%253Aprovisioned-model%252F57z3lgkt1cx2/invoke",
    );
    const added = await sign(request);
    expect(verifySigV4(received(request, added), SECRETS, BEDROCK)).toEqual({
      ok: true,
      accessKeyId: "AKIDEXAMPLE",
    });
  });

  it("is rejected when the canonical path is encoded only once (the bug the rule prevents)", async () => {
    const request = invokeRequest(ARN);
    const once = new SignatureV4({
      ...BEDROCK,
      credentials: KEYS,
      sha256: Hash.bind(null, "sha256"),
      uriEscapePath: false,
    });
    const signed = await once.sign({
      method: "POST",
      protocol: "https:",
      hostname: request.url.hostname,
      path: request.url.pathname,
      headers: { ...request.headers, host: request.url.host },
      body: request.body,
    });
    const verdict = verifySigV4(received(request, signed.headers), SECRETS, BEDROCK);
    expect(verdict).toEqual({ ok: false, reason: "the signature does not match" });
  });

  it("verifies the bytes a real HTTP client puts on the wire (raw path as the server reads it)", async () => {
    const seen: Array<{ request: IncomingMessage; body: string }> = [];
    const server = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => {
        body += chunk;
      });
      request.on("end", () => {
        seen.push({ request, body });
        response.end("{}");
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      const url = new URL(
        `${bedrockModelPath(ARN, "invoke-with-response-stream")}?trace=a%20b&x=1`,
        bedrockRuntimeUrl(REGION, `http://127.0.0.1:${port}/`),
      );
      const request: SigningRequest = {
        method: "POST",
        url,
        headers: { "content-type": "application/json", "x-amzn-bedrock-accept": "*/*" },
        body: '{"prompt":"héllo ✓"}',
      };
      const added = await sign(request);
      await fetch(url, { method: "POST", headers: { ...request.headers, ...added }, body: request.body });
      const [{ request: got, body }] = seen as [(typeof seen)[0]];
      const [path, query = ""] = (got.url ?? "").split("?") as [string, string?];
      expect(path).toContain("arn%3Aaws%3Abedrock");
      const verdict = verifySigV4(
        { method: got.method ?? "", path, query, headers: got.headers, body },
        SECRETS,
        BEDROCK,
      );
      expect(verdict).toEqual({ ok: true, accessKeyId: "AKIDEXAMPLE" });
    } finally {
      server.close();
    }
  });

  it("is rejected with a wrong secret, a changed body, another region or service", async () => {
    const request = invokeRequest(ARN);
    const added = await sign(request);
    const wire = received(request, added);
    expect(verifySigV4(wire, { AKIDEXAMPLE: "not-the-secret" }, BEDROCK)).toEqual({
      ok: false,
      reason: "the signature does not match",
    });
    expect(verifySigV4({ ...wire, body: BODY.replace("16", "17") }, SECRETS, BEDROCK)).toEqual({
      ok: false,
      reason: "x-amz-content-sha256 does not match the body",
    });
    // A tamperer who also fixes the declared hash still breaks the signature (the hash is signed).
    const tampered = BODY.replace("16", "17");
    const rehashed = (await import("node:crypto")).createHash("sha256").update(tampered).digest("hex");
    expect(
      verifySigV4(
        { ...wire, body: tampered, headers: { ...wire.headers, "x-amz-content-sha256": rehashed } },
        SECRETS,
        BEDROCK,
      ),
    ).toEqual({ ok: false, reason: "the signature does not match" });
    expect(verifySigV4(wire, SECRETS, { region: "us-east-1", service: "bedrock" })).toMatchObject({
      ok: false,
    });
    expect(verifySigV4(wire, SECRETS, { region: REGION, service: "bedrock-runtime" })).toMatchObject({
      ok: false,
    });
    expect(
      verifySigV4({ ...wire, path: wire.path.replace("invoke", "converse") }, SECRETS, BEDROCK),
    ).toMatchObject({
      ok: false,
    });
    expect(verifySigV4(wire, SECRETS, { ...BEDROCK, now: new Date(Date.now() + 20 * 60_000) })).toMatchObject(
      {
        ok: false,
      },
    );
  });

  it("adds and signs the session token of temporary keys", async () => {
    const temporary = createSigV4Signer({
      region: REGION,
      credentials: { kind: "static", ...KEYS, sessionToken: "IQoJb3JpZ2luX2VjEJr//////////session" },
    });
    const request = invokeRequest("anthropic.claude-3-haiku-20240307-v1:0");
    const added = await temporary(request);
    expect(added["x-amz-security-token"]).toBe("IQoJb3JpZ2luX2VjEJr//////////session");
    expect(added.authorization).toContain("x-amz-security-token");
    expect(verifySigV4(received(request, added), SECRETS, BEDROCK)).toMatchObject({ ok: true });
  });

  it("honours the service name and an abort signal", async () => {
    const mantle = createSigV4Signer({
      region: REGION,
      service: "bedrock-mantle",
      credentials: { kind: "static", ...KEYS },
    });
    const request = invokeRequest("openai.gpt-oss-120b-1:0");
    const added = await mantle(request);
    expect(
      verifySigV4(received(request, added), SECRETS, { region: REGION, service: "bedrock-mantle" }),
    ).toMatchObject({
      ok: true,
    });
    const aborted = AbortSignal.abort(new Error("client went away"));
    await expect(sign(request, aborted)).rejects.toThrow("client went away");
  });
});

describe("createSigV4Signer with the ambient chain", () => {
  let directory: string | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  /**
   * A fake credential source the real `fromNodeProviderChain` runs: a `credential_process` that counts its
   * runs in a file and hands out keys valid for 5 minutes + 2.5 s, so the SDK's refresh window (5 minutes
   * before expiry) opens 2.5 s into the test.
   */
  async function countingProfile(): Promise<{ runs(): Promise<number> }> {
    directory = await mkdtemp(join(tmpdir(), "tollgate-aws-"));
    const counter = join(directory, "runs");
    const script = join(directory, "credentials.mjs");
    await writeFile(counter, "0");
    await writeFile(
      script,
      `import { readFileSync, writeFileSync } from "node:fs";
const n = Number(readFileSync(${JSON.stringify(counter)}, "utf8")) + 1;
writeFileSync(${JSON.stringify(counter)}, String(n));
await new Promise((resolve) => setTimeout(resolve, 150));
process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: "AKIDPROC" + n, SecretAccessKey: "secret" + n,
  SessionToken: "token" + n, Expiration: new Date(Date.now() + 300_000 + 2_500).toISOString() }));
`,
    );
    await writeFile(
      join(directory, "config"),
      `[profile tollgate-test]\ncredential_process = "${process.execPath}" "${script}"\n`,
    );
    await writeFile(join(directory, "credentials"), "");
    vi.stubEnv("AWS_CONFIG_FILE", join(directory, "config"));
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(directory, "credentials"));
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    return { runs: async () => Number(await readFile(counter, "utf8")) };
  }

  const keyOf = (headers: Record<string, string>) =>
    /Credential=(\w+)\//.exec(headers.authorization ?? "")?.[1];

  it("fetches once for concurrent attempts, caches, and refreshes once before expiry", async () => {
    const profile = await countingProfile();
    const sign = createSigV4Signer({
      region: REGION,
      credentials: { kind: "ambient", profile: "tollgate-test" },
    });
    const request = invokeRequest(ARN);

    const first = await Promise.all(Array.from({ length: 8 }, () => sign(request)));
    expect(first.map(keyOf)).toEqual(Array(8).fill("AKIDPROC1"));
    expect(first[0]!["x-amz-security-token"]).toBe("token1");
    expect(verifySigV4(received(request, first[0]!), { AKIDPROC1: "secret1" }, BEDROCK)).toMatchObject({
      ok: true,
    });
    for (let index = 0; index < 5; index++) await sign(request);
    expect(await profile.runs()).toBe(1);

    // Inside the refresh window: the current keys keep signing while one background fetch runs.
    await new Promise((resolve) => setTimeout(resolve, 2_700));
    const during = await Promise.all(Array.from({ length: 8 }, () => sign(request)));
    expect(during.map(keyOf)).toEqual(Array(8).fill("AKIDPROC1"));
    await vi.waitFor(async () => expect(await profile.runs()).toBe(2), { timeout: 5_000 });
    await vi.waitFor(async () => expect(keyOf(await sign(request))).toBe("AKIDPROC2"), { timeout: 5_000 });
    for (let index = 0; index < 5; index++) expect(keyOf(await sign(request))).toBe("AKIDPROC2");
    expect(await profile.runs()).toBe(2);
  });
});

describe("createSigV4Signer without ambient credentials", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("fails as upstream_auth_failed, saying why", async () => {
    const directory = await mkdtemp(join(tmpdir(), "tollgate-aws-"));
    try {
      await writeFile(join(directory, "config"), "");
      vi.stubEnv("AWS_CONFIG_FILE", join(directory, "config"));
      vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(directory, "config"));
      vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
      const sign = createSigV4Signer({
        region: REGION,
        credentials: { kind: "ambient", profile: "nowhere" },
      });
      const failure = await sign(invokeRequest(ARN)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(GatewayError);
      expect(failure).toMatchObject({ code: "upstream_auth_failed" });
      expect((failure as Error).message).toBe(
        "AWS credentials could not be loaded (profile nowhere): Could not load credentials from any providers",
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("parseBedrockAccessToken", () => {
  it.each([
    [undefined, { kind: "ambient" }],
    ["", { kind: "ambient" }],
    ["  \n", { kind: "ambient" }],
    [
      "AKIA123:secret/with+chars",
      { kind: "sigv4-static", accessKeyId: "AKIA123", secretAccessKey: "secret/with+chars" },
    ],
    [
      "ASIA123:secret:session/token==",
      {
        kind: "sigv4-static",
        accessKeyId: "ASIA123",
        secretAccessKey: "secret",
        sessionToken: "session/token==",
      },
    ],
    ["ABSKQmVkcm9ja0FQSUtleS1example", { kind: "bearer", token: "ABSKQmVkcm9ja0FQSUtleS1example" }],
    [
      "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t\n",
      { kind: "bearer", token: "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t" },
    ],
  ])("%j", (value, expected) => {
    expect(parseBedrockAccessToken(value)).toEqual(expected);
  });

  it.each([
    ["<ACCESS_KEY_ID>:<SECRET_ACCESS_KEY>", "placeholder <ACCESS_KEY_ID>"],
    ["<BEDROCK_API_KEY>", "placeholder <BEDROCK_API_KEY>"],
    ["AKIA:secret:token:extra", "4 `:`-separated parts"],
    ["AKIA:", "an empty part"],
    [":secret", "an empty part"],
    ["AKIA secret", "whitespace"],
  ])("%j is invalid", (value, reason) => {
    const parsed = parseBedrockAccessToken(value);
    expect(parsed.kind).toBe("invalid");
    const message = parsed.kind === "invalid" ? parsed.reason : "";
    expect(message).toContain(reason);
    expect(message).toContain("ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]");
    if (!value.includes("<")) expect(message).not.toContain(value.split(/[:\s]/)[1] || "\u0000");
  });
});

describe("bedrockRegion", () => {
  const noEnv = {};
  it("takes region, then a bare region code as endpoint, then an endpoint host, then the environment", () => {
    expect(bedrockRegion({ region: "eu-central-1", endpoint: "us-west-2" }, "ambient", noEnv)).toEqual({
      ok: true,
      region: "eu-central-1",
    });
    expect(bedrockRegion({ endpoint: "us-west-2" }, "ambient", noEnv)).toEqual({
      ok: true,
      region: "us-west-2",
    });
    expect(bedrockRegion({ endpoint: "us-gov-west-1" }, "sigv4-static", noEnv)).toEqual({
      ok: true,
      region: "us-gov-west-1",
    });
    expect(
      bedrockRegion(
        { endpoint: "https://vpce-0a1b2c3d-4e5f.bedrock-runtime.ap-southeast-2.vpce.amazonaws.com" },
        "ambient",
        noEnv,
      ),
    ).toEqual({ ok: true, region: "ap-southeast-2" });
    expect(
      bedrockRegion({ endpoint: "https://bedrock-runtime.eu-west-3.amazonaws.com/" }, "ambient", noEnv),
    ).toEqual({
      ok: true,
      region: "eu-west-3",
    });
    expect(
      bedrockRegion({ endpoint: "https://proxy.internal/bedrock" }, "ambient", { AWS_REGION: "us-east-2" }),
    ).toEqual({ ok: true, region: "us-east-2" });
    expect(bedrockRegion({}, "ambient", { AWS_DEFAULT_REGION: "ca-central-1" })).toEqual({
      ok: true,
      region: "ca-central-1",
    });
    expect(
      bedrockRegion({}, "ambient", { AWS_REGION: "sa-east-1", AWS_DEFAULT_REGION: "ca-central-1" }),
    ).toEqual({
      ok: true,
      region: "sa-east-1",
    });
  });

  it("defaults bearer keys to us-east-1 and says what to set otherwise", () => {
    expect(bedrockRegion({}, "bearer", noEnv)).toEqual({ ok: true, region: "us-east-1" });
    expect(bedrockRegion({ endpoint: "<VPC Endpoint URL>" }, "bearer", noEnv)).toEqual({
      ok: true,
      region: "us-east-1",
    });
    const ambient = bedrockRegion({}, "ambient", noEnv);
    expect(ambient.ok).toBe(false);
    expect(ambient.ok ? "" : ambient.reason).toMatch(
      /AWS credential chain needs a region: set `region`.*AWS_REGION/,
    );
    const keys = bedrockRegion({ endpoint: "https://proxy.internal" }, "sigv4-static", noEnv);
    expect(keys.ok ? "" : keys.reason).toMatch(/SigV4 access keys needs a region/);
  });
});

describe("bedrockRuntimeUrl and bedrockModelPath", () => {
  it("builds the public endpoint from the region, or uses a VPC endpoint URL as written", () => {
    expect(bedrockRuntimeUrl("us-west-2")).toBe("https://bedrock-runtime.us-west-2.amazonaws.com");
    expect(bedrockRuntimeUrl("us-west-2", "us-west-2")).toBe(
      "https://bedrock-runtime.us-west-2.amazonaws.com",
    );
    expect(
      bedrockRuntimeUrl("us-west-2", "https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com/"),
    ).toBe("https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com");
    expect(() => bedrockRuntimeUrl("us-west-2", "ftp://x")).toThrow(/http\(s\) URL/);
  });

  it("encodes the model id as one segment, and does not encode an encoded id twice", () => {
    expect(bedrockModelPath("us.anthropic.claude-sonnet-4-20250514-v1:0", "converse-stream")).toBe(
      "/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream",
    );
    expect(bedrockModelPath(ARN, "invoke")).toBe(bedrockModelPath(encodeURIComponent(ARN), "invoke"));
    expect(bedrockModelPath(ARN, "invoke").split("/")).toHaveLength(4);
  });
});
