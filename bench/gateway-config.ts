// The Tollgate config the benchmark runs the gateway with (DESIGN §4): three providers pointing at the mock
// (OpenAI, Anthropic, and AWS Bedrock with static SigV4 keys, so every Bedrock request is signed), one model
// each, one bench actor whose limits are on (so they are on the measured path) but never refuse.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const OPENAI_MODEL = "openai::2024-02-01::gpt-4o-mini";
export const ANTHROPIC_MODEL = "anthropic::2023-06-01::claude-sonnet-4-5";
/** An `anthropic.` model name: the gateway calls InvokeModel (`POST /model/<id>/invoke`) with Anthropic's body. */
export const BEDROCK_MODEL = "bedrock::2023-05-31::claude-sonnet-4-5";
export const BEDROCK_MODEL_NAME = "anthropic.claude-sonnet-4-5-20250929-v1:0";

export interface GatewayConfigOptions {
  mockOrigin: string;
  dir: string;
  /** Set for the Redis variant: limits kept in the local Redis under this key prefix. */
  redisPrefix?: string;
  /** Names the config file and the SQLite file of a gateway that runs beside another (`workers`). */
  variant?: string;
}

function model(ref: string, displayName: string, modelName = ref.split("::")[2]): Record<string, unknown> {
  return {
    modelRef: ref,
    displayName,
    modelName,
    capabilities: ["chat", "tools"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 4_000 },
  };
}

export function gatewayConfig(options: GatewayConfigOptions): Record<string, unknown> {
  const generous = {
    requests: 1_000_000_000,
    tokens: 1_000_000_000_000,
    interval: "1m",
    concurrent: 100_000,
  };
  return {
    storage: {
      url: `sqlite:${join(options.dir, options.variant ? `tollgate-${options.variant}.db` : "tollgate.db")}`,
    },
    ...(options.redisPrefix
      ? { redis: { url: "redis://127.0.0.1:6379", keyPrefix: options.redisPrefix } }
      : {}),
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          displayName: "OpenAI",
          serverSideConfig: { type: "openai", accessToken: "sk-bench", endpoint: options.mockOrigin },
        },
        {
          id: "anthropic",
          displayName: "Anthropic",
          serverSideConfig: { type: "anthropic", accessToken: "sk-ant-bench", endpoint: options.mockOrigin },
        },
        {
          id: "bedrock",
          displayName: "AWS Bedrock",
          // Static `AKID:SECRET`: SigV4 per request. An endpoint URL replaces the Bedrock runtime host.
          serverSideConfig: {
            type: "awsBedrock",
            accessToken: "AKIDBENCH:benchsecret",
            region: "us-east-1",
            endpoint: options.mockOrigin,
          },
        },
      ],
      modelOverrides: [
        model(OPENAI_MODEL, "GPT-4o mini"),
        model(ANTHROPIC_MODEL, "Claude Sonnet 4.5"),
        model(BEDROCK_MODEL, "Claude Sonnet 4.5 on Bedrock", BEDROCK_MODEL_NAME),
      ],
      defaultModels: { chat: OPENAI_MODEL, fastChat: OPENAI_MODEL },
    },
    actors: [
      {
        id: "bench",
        name: "Benchmark",
        role: "user",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the gateway reads this variable from its environment
        tokens: ["${BENCH_TOKEN}"],
        limits: { "*": generous },
      },
    ],
  };
}

export function redisPrefix(): string {
  return `tollgate-bench-${randomBytes(4).toString("hex")}:`;
}

/** Writes the config as `<dir>/tollgate-bench[-redis|-<variant>].json` and returns its path. */
export function writeGatewayConfig(options: GatewayConfigOptions): string {
  const suffix = options.variant ?? (options.redisPrefix ? "redis" : undefined);
  const path = join(options.dir, `tollgate-bench${suffix ? `-${suffix}` : ""}.json`);
  writeFileSync(path, `${JSON.stringify(gatewayConfig(options), null, 2)}\n`);
  return path;
}
