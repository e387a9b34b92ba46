/**
 * The whole gateway in-process (startGateway: real socket, SQLite in a temp dir) in front of one mock
 * upstream that stands in for every provider type, configured in the Tollgate/Cody format. Logs go to
 * memory at `trace` so tests can search them for secrets.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { Gateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

/** Known fake credentials: none may ever show up in a log line or a client-visible error. */
export const providerKeys = {
  openai: "sk-secret-openai-123",
  azure: "azure-secret-key-456",
  anthropic: "sk-ant-secret-anthropic-789",
  compat: "sk-secret-compat-abc",
  compatQuery: "query-secret-compat-def",
  compatHeader: "header-secret-compat-ghi",
  mistral: "mistral-secret-jkl-0123",
  fireworks: "fw_secret_fireworks_mno",
  failover: "sk-secret-failover-pqr",
} as const;

export const gatewayToken = "tg_e2e_gateway_token_0123456789abcdef";

/** The six provider types under test, by provider id; each id is also the mock path prefix. */
export const providers = ["openai", "azure", "anthropic", "compat", "mistral", "fireworks"] as const;
export type ProviderId = (typeof providers)[number];
export const kinds = ["text", "tools", "thinking"] as const;

/** A URL on 127.0.0.1 where nothing listens. */
export async function refusedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const window = { maxInputTokens: 100_000, maxOutputTokens: 8192 };
const capabilities = ["chat", "autocomplete", "tools", "reasoning"];
const fast = { firstByte: "500ms", idle: "500ms" };

function model(provider: string, id: string, extra: Record<string, unknown> = {}) {
  return {
    modelRef: `${provider}::v1::${id}`,
    displayName: `${provider} ${id}`,
    modelName: id,
    capabilities,
    category: "balanced",
    status: "stable",
    contextWindow: window,
    ...extra,
  };
}

/** The config file, as an administrator would write it (Cody's modelConfiguration plus Tollgate's keys). */
export function gatewayConfig(mock: string, refused: string, storage: string): string {
  const providerOverrides = [
    {
      id: "openai",
      serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: providerKeys.openai },
    },
    {
      id: "azure",
      serverSideConfig: { type: "azureOpenAI", endpoint: `${mock}/azure`, accessToken: providerKeys.azure },
    },
    {
      id: "anthropic",
      // Cody's examples write the full API path; it is normalised to the base.
      serverSideConfig: {
        type: "anthropic",
        endpoint: `${mock}/anthropic/v1/messages`,
        accessToken: providerKeys.anthropic,
      },
    },
    {
      id: "compat",
      serverSideConfig: {
        type: "openaicompatible",
        endpoints: [{ url: `${mock}/compat/v1`, accessToken: providerKeys.compat }],
      },
    },
    {
      id: "compat-query",
      serverSideConfig: {
        type: "openaicompatible",
        endpoints: [
          { url: `${mock}/compat-query/v1`, accessToken: providerKeys.compatQuery, accessTokenQuery: "key" },
        ],
      },
    },
    {
      id: "compat-headers",
      serverSideConfig: {
        type: "openaicompatible",
        endpoints: [
          { url: `${mock}/compat-headers/v1`, headers: { "X-Custom-Auth": providerKeys.compatHeader } },
        ],
      },
    },
    {
      id: "mistral",
      serverSideConfig: { type: "mistral", endpoint: `${mock}/mistral`, accessToken: providerKeys.mistral },
    },
    {
      id: "fireworks",
      serverSideConfig: {
        type: "fireworks",
        endpoint: `${mock}/fireworks`,
        accessToken: providerKeys.fireworks,
      },
    },
    // Failover: each scenario has its own endpoint pair, so one scenario's cool-down cannot steer another.
    ...["refused", "503", "429", "broken"].map((scenario) => ({
      id: `failover-${scenario}`,
      serverSideConfig: {
        type: "openaicompatible",
        endpoints: [
          {
            url: scenario === "refused" ? `${refused}/v1` : `${mock}/compat-${scenario}-a/v1`,
            accessToken: providerKeys.failover,
          },
          { url: `${mock}/compat-${scenario}-b/v1`, accessToken: providerKeys.failover },
        ],
      },
    })),
  ];
  const modelOverrides = [
    ...providers.flatMap((provider) => kinds.map((kind) => model(provider, kind))),
    model("anthropic", "tools-no-args"),
    model("openai", "embed", { capabilities: ["embeddings"] }),
    model("azure", "embed", { capabilities: ["embeddings"] }),
    model("compat-query", "text"),
    model("compat-headers", "text"),
    ...["refused", "503", "429", "broken"].map((scenario) => model(`failover-${scenario}`, "text")),
    // Short timeouts (DESIGN §8 durations) for the timeout tests, one per upstream dialect.
    model("compat", "slow", { timeouts: fast }),
    model("anthropic", "slow", { timeouts: fast }),
  ];
  const config = {
    storage: { url: `sqlite:${storage}` },
    // These suites map one upstream failure after another on the same models; circuits would turn them into
    // 503s. Circuit breakers have their own suite (test/faults/).
    upstream: { circuitBreaker: { enabled: false } },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides,
      modelOverrides,
      defaultModels: {
        chat: "openai::v1::text",
        fastChat: "openai::v1::text",
        codeCompletion: "openai::v1::text",
      },
    },
  };
  return `// Tollgate e2e: every provider type points at one local mock upstream.\n${JSON.stringify(config, null, 2)}\n`;
}

export interface Harness {
  mock: MockUpstream;
  gateway: Gateway;
  url: string;
  openai: OpenAI;
  anthropic: Anthropic;
  /** Every log line the gateway wrote (trace level). */
  logs: string[];
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-e2e-proxy-"));
  const mock = await startMockUpstream();
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, gatewayConfig(mock.url, await refusedOrigin(), join(dir, "tollgate.db")));
  const logs: string[] = [];
  const logger = createLogger({
    level: "trace",
    destination: {
      write(line: string) {
        logs.push(line);
      },
    },
  });
  const gateway = await startTestGateway({ file, dir, logger, env: { TOLLGATE_ADMIN_TOKEN: gatewayToken } });
  const url = gateway.url;
  return {
    mock,
    gateway,
    url,
    // No SDK retries: each test sees exactly one gateway answer.
    openai: new OpenAI({ baseURL: `${url}/v1`, apiKey: gatewayToken, maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: url, apiKey: gatewayToken, maxRetries: 0 }),
    logs,
    async close() {
      await gateway.close();
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What the gateway recorded about each proxied request (the `proxied` log line), newest last. */
export function outcomes(
  logs: readonly string[],
): Array<{ modelRef: string; status: number; usage?: unknown }> {
  return logs
    .map((line) => JSON.parse(line) as { msg?: string; outcome?: { modelRef: string; status: number } })
    .filter((entry) => entry.msg === "proxied" && entry.outcome)
    .map((entry) => entry.outcome!);
}

export const allSecrets: readonly string[] = [...Object.values(providerKeys), gatewayToken];

/** The secrets found in `text` (empty when clean). */
export function leakedSecrets(text: string): string[] {
  return allSecrets.filter((secret) => text.includes(secret));
}
