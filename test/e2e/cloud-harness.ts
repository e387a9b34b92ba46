/**
 * The gateway in-process in front of the cloud mock (test/mock-upstream/cloud-mock.ts): Google providers (Gemini
 * API with a key, Gemini and Anthropic on Vertex with a service account whose token_uri points at a local OAuth
 * token server) and AWS Bedrock providers (static SigV4 keys, a Bedrock API key, the ambient chain, a wrong
 * secret) whose `endpoint` URL stands in for a VPC endpoint, with chat models and embedding models (Gemini API,
 * Vertex, Bedrock Titan and Cohere). Outcomes are collected through `onOutcome`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { RequestOutcome } from "../../src/proxy/outcome.js";
import type { Gateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { type CloudMock, startCloudMock } from "../mock-upstream/cloud-mock.js";
import { sleep } from "../mock-upstream/mock-upstream.js";
import { type OAuthTokenServer, startOAuthTokenServer } from "../mock-upstream/oauth-token-server.js";
import { startTestGateway } from "../support/gateway.js";

export const cloudToken = "tg_e2e_cloud_gateway_token_0123456789";
export const geminiKey = "AIzaSyE2E-gemini-secret-key-0123456789";
export const awsRegion = "us-west-2";
export const awsKeyId = "AKIDEXAMPLE";
export const awsSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
export const awsWrongSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYWRONGKEY00";
/** Keys the ambient chain finds in the process environment. */
export const ambientKeyId = "AKIAAMBIENTEXAMPLE";
export const ambientSecret = "ambient/K7MDENG+bPxRfiCYEXAMPLEKEY000000";
export const bedrockApiKey = "ABSKQmVkcm9ja0FQSUtleS1lMmUtc2VjcmV0LTAxMjM0NTY3ODk=";
export const provisionedArn = "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/57z3lgkt1cx2";

/** Model refs by what they reach. */
export const refs = {
  gemini: "gemini::v1::gemini-3-pro",
  vertex: "vertex::v1::gemini-2.0-flash",
  vertexClaude: "vertex-claude::v1::claude-sonnet-4-5",
  vertexOnce: "vertex-once::v1::gemini-2.0-flash",
  invoke: "bedrock::v1::claude-sonnet-4-5",
  converse: "bedrock::v1::nova-lite",
  claudeConverse: "bedrock::v1::claude-sonnet-4-5-converse",
  provisioned: "bedrock::v1::claude-provisioned",
  invokeLatency: "bedrock::v1::claude-haiku-latency",
  converseLatency: "bedrock::v1::nova-pro-latency",
  invokeThrottled: "bedrock::v1::claude-throttled",
  invokeThrottledMidstream: "bedrock::v1::claude-throttled-midstream",
  converseThrottled: "bedrock::v1::nova-throttled",
  converseThrottledMidstream: "bedrock::v1::nova-throttled-midstream",
  bearerInvoke: "bedrock-key::v1::claude-sonnet-4-5",
  bearerConverse: "bedrock-key::v1::nova-lite",
  ambientConverse: "bedrock-ambient::v1::nova-lite",
  wrongSecret: "bedrock-wrong::v1::nova-lite",
  geminiEmbed: "gemini::v1::gemini-embedding",
  vertexEmbed: "vertex::v1::text-embedding",
  vertexGeminiEmbed: "vertex::v1::gemini-embedding",
  vertexClaudeEmbed: "vertex-claude::v1::claude-embed",
  titanEmbed: "bedrock::v1::titan-embed",
  cohereEmbed: "bedrock::v1::cohere-embed",
  bearerTitanEmbed: "bedrock-key::v1::titan-embed",
} as const;

export const modelNames = {
  gemini: "gemini-3-pro-preview",
  vertex: "gemini-2.0-flash",
  vertexClaude: "claude-sonnet-4-5@20250929",
  invoke: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  converse: "us.amazon.nova-2-lite-v1:0",
  geminiEmbed: "gemini-embedding-001",
  vertexEmbed: "text-embedding-005",
  titanEmbed: "amazon.titan-embed-text-v2:0",
  cohereEmbed: "cohere.embed-english-v3",
} as const;

function model(ref: string, modelName: string, serverSideConfig?: object, capabilities = chatCapabilities) {
  const [provider, version, id] = ref.split("::");
  return {
    modelRef: `${provider}::${version}::${id}`,
    displayName: id,
    modelName,
    capabilities,
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 4096 },
    ...(serverSideConfig ? { serverSideConfig } : {}),
  };
}

const chatCapabilities = ["chat", "autocomplete", "tools"];
const embedding = (ref: string, modelName: string) => model(ref, modelName, undefined, ["embeddings"]);

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** The config an administrator would write for these providers, pointed at the mock. */
export function cloudConfig(
  mock: string,
  storage: string,
  accounts: { vertex: string; once: string },
): string {
  const bedrock = (id: string, accessToken?: string) => ({
    id,
    serverSideConfig: {
      type: "awsBedrock",
      endpoint: `${mock}/bedrock`,
      region: awsRegion,
      ...(accessToken === undefined ? {} : { accessToken }),
    },
  });
  const vertexBase = `${mock}/vertex/v1/projects/test-project/locations`;
  const providerOverrides = [
    {
      id: "gemini",
      serverSideConfig: { type: "google", endpoint: `${mock}/gemini`, accessToken: geminiKey },
    },
    {
      id: "vertex",
      serverSideConfig: {
        type: "google",
        endpoint: `${vertexBase}/us-central1`,
        accessToken: base64(accounts.vertex),
      },
    },
    {
      id: "vertex-claude",
      serverSideConfig: {
        type: "google",
        endpoint: `${vertexBase}/us-east5/publishers/anthropic/models`,
        accessToken: base64(accounts.vertex),
      },
    },
    {
      id: "vertex-once",
      serverSideConfig: {
        type: "google",
        endpoint: `${vertexBase}/europe-west4`,
        accessToken: base64(accounts.once),
      },
    },
    bedrock("bedrock", `${awsKeyId}:${awsSecret}`),
    bedrock("bedrock-key", bedrockApiKey),
    bedrock("bedrock-ambient"),
    bedrock("bedrock-wrong", `${awsKeyId}:${awsWrongSecret}`),
  ];
  const modelOverrides = [
    model(refs.gemini, modelNames.gemini),
    model(refs.vertex, modelNames.vertex),
    model(refs.vertexClaude, modelNames.vertexClaude),
    model(refs.vertexOnce, modelNames.vertex),
    model(refs.invoke, modelNames.invoke),
    model(refs.converse, modelNames.converse),
    model(refs.claudeConverse, modelNames.invoke, { type: "awsBedrock", api: "converse" }),
    model(refs.provisioned, "anthropic.claude-3-7-sonnet-20250219-v1:0", {
      type: "awsBedrockProvisionedThroughput",
      arn: provisionedArn,
    }),
    model(refs.invokeLatency, "us.anthropic.claude-3-5-haiku-20241022-v1:0", {
      type: "awsBedrock",
      latencyOptimization: "optimized",
    }),
    model(refs.converseLatency, "us.amazon.nova-pro-v1:0", {
      type: "awsBedrock",
      latencyOptimization: "optimized",
    }),
    model(refs.invokeThrottled, "us.anthropic.claude-throttled-v1:0"),
    model(refs.invokeThrottledMidstream, "us.anthropic.claude-throttled-midstream-v1:0"),
    model(refs.converseThrottled, "us.amazon.nova-throttled-v1:0"),
    model(refs.converseThrottledMidstream, "us.amazon.nova-throttled-midstream-v1:0"),
    model(refs.bearerInvoke, modelNames.invoke),
    model(refs.bearerConverse, modelNames.converse),
    model(refs.ambientConverse, modelNames.converse),
    model(refs.wrongSecret, modelNames.converse),
    embedding(refs.geminiEmbed, modelNames.geminiEmbed),
    embedding(refs.vertexEmbed, modelNames.vertexEmbed),
    embedding(refs.vertexGeminiEmbed, modelNames.geminiEmbed),
    embedding(refs.vertexClaudeEmbed, "claude-embed"),
    embedding(refs.titanEmbed, modelNames.titanEmbed),
    embedding(refs.cohereEmbed, modelNames.cohereEmbed),
    embedding(refs.bearerTitanEmbed, modelNames.titanEmbed),
  ];
  return `${JSON.stringify(
    {
      storage: { url: `sqlite:${storage}` },
      modelConfiguration: {
        sourcegraph: null,
        providerOverrides,
        modelOverrides,
        defaultModels: { chat: refs.gemini, fastChat: refs.gemini, codeCompletion: refs.gemini },
      },
    },
    null,
    2,
  )}\n`;
}

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  openai: OpenAI;
  anthropic: Anthropic;
  outcomes: RequestOutcome[];
  logs: string[];
  close(): Promise<void>;
}

let counter = 0;

/** A gateway for a config text (written to a file in `dir` and loaded as the CLI would). */
export async function startGatewayFor(dir: string, text: string): Promise<RunningGateway> {
  const file = join(dir, `tollgate-${++counter}.jsonc`);
  await writeFile(file, text);
  const outcomes: RequestOutcome[] = [];
  const logs: string[] = [];
  const gateway = await startTestGateway({
    file,
    dir,
    logger: createLogger({ level: "trace", destination: { write: (line: string) => void logs.push(line) } }),
    env: { TOLLGATE_ADMIN_TOKEN: cloudToken },
    onOutcome: (outcome) => outcomes.push(structuredClone(outcome)),
  });
  return {
    gateway,
    url: gateway.url,
    // No SDK retries: each test sees exactly one gateway answer.
    openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: cloudToken, maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: gateway.url, apiKey: cloudToken, maxRetries: 0 }),
    outcomes,
    logs,
    close: () => gateway.close(),
  };
}

export interface CloudHarness extends RunningGateway {
  cloud: CloudMock;
  oauth: OAuthTokenServer;
  /** The service account of the `vertex-once` provider, which only the OAuth test uses. */
  onceAccount: string;
  dir: string;
  /** Every secret the gateway holds for these providers: none may reach a client or a log line. */
  secrets: string[];
}

export async function startCloudHarness(): Promise<CloudHarness> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-e2e-cloud-"));
  const oauth = await startOAuthTokenServer();
  const cloud = await startCloudMock({
    geminiKeys: [geminiKey, "token"],
    oauth,
    aws: {
      region: awsRegion,
      secrets: { [awsKeyId]: awsSecret, [ambientKeyId]: ambientSecret },
      bearerKeys: [bedrockApiKey],
    },
  });
  const vertex = oauth.serviceAccount("tollgate-vertex@test-project.iam.gserviceaccount.com");
  const once = oauth.serviceAccount("tollgate-once@test-project.iam.gserviceaccount.com");
  const running = await startGatewayFor(
    dir,
    cloudConfig(cloud.url, join(dir, "tollgate.db"), { vertex: vertex.json, once: once.json }),
  );
  const privateKey = (json: string) => (JSON.parse(json) as { private_key: string }).private_key;
  return {
    ...running,
    cloud,
    oauth,
    onceAccount: once.email,
    dir,
    secrets: [
      geminiKey,
      awsSecret,
      awsWrongSecret,
      ambientSecret,
      bedrockApiKey,
      base64(vertex.json),
      base64(once.json),
      privateKey(vertex.json).split("\n")[1]!,
      cloudToken,
    ],
    async close() {
      await running.close();
      await cloud.close();
      await oauth.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function until<T>(
  read: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

/** The outcome of the latest request for `modelRef`, once the exchange has ended. */
export function outcomeFor(running: RunningGateway, modelRef: string): Promise<RequestOutcome> {
  return until(() => running.outcomes.findLast((outcome) => outcome.modelRef === modelRef));
}

/**
 * The harness for a whole test file: started once, its mock's records and the outcomes cleared before each
 * test, closed at the end. The returned object reads through to the running harness.
 */
export function useCloudHarness(): CloudHarness {
  let current: CloudHarness | undefined;
  beforeAll(async () => {
    current = await startCloudHarness();
  });
  afterAll(() => current?.close());
  beforeEach(() => {
    current!.cloud.clear();
    current!.outcomes.length = 0;
  });
  return new Proxy({} as CloudHarness, {
    get: (_target, key) => Reflect.get(current as CloudHarness, key),
  });
}
