import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

/** Authorization and admission on the request path (issue 4), through the official SDKs. */

const tokens = {
  narrow: "tg_e2e_narrow_0123456789abcdef",
  counted: "tg_e2e_counted_0123456789abcdef",
  budget: "tg_e2e_budget_0123456789abcdef",
  embed: "tg_e2e_embed_0123456789abcdef",
  watcher: "tg_e2e_watcher_0123456789abcdef",
};
const env = (name: string) => `$\{${name}}`;

function config(mock: string, storage: string): string {
  const model = (id: string, capabilities: string[]) => ({
    modelRef: `openai::v1::${id}`,
    modelName: id,
    capabilities,
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
    pricing: { input: 3, output: 15 },
  });
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: "sk-test" },
        },
      ],
      modelOverrides: [
        model("text", ["chat"]),
        model("tools", ["chat", "tools"]),
        model("embed", ["embeddings"]),
      ],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::text", codeCompletion: "" },
    },
    actors: [
      { id: "narrow", tokens: [env("NARROW")], allowedModels: ["openai::v1::text"] },
      {
        id: "counted",
        tokens: [env("COUNTED")],
        limits: { chat: { requests: 2, tokens: 100_000, interval: "1h" } },
      },
      { id: "budget", tokens: [env("BUDGET")], budget: { usd: 0.001, period: "month" } },
      { id: "embed", tokens: [env("EMBED")], limits: { embeddings: { requests: 1, interval: "1h" } } },
      { id: "watcher", role: "readonly", tokens: [env("WATCHER")] },
    ],
  });
}

const chat = {
  model: "openai::v1::text",
  max_tokens: 50,
  messages: [{ role: "user" as const, content: "hi" }],
};

describe("admission through the gateway", () => {
  let dir: string;
  let mock: MockUpstream;
  let gateway: Gateway;
  const openai = (token: string) =>
    new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: token, maxRetries: 0 });
  const anthropic = (token: string) => new Anthropic({ baseURL: gateway.url, apiKey: token, maxRetries: 0 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-admission-"));
    mock = await startMockUpstream();
    const file = join(dir, "tollgate.jsonc");
    await writeFile(file, config(mock.url, join(dir, "tollgate.db")));
    gateway = await startTestGateway({
      file,
      dir,
      configEnv: {
        NARROW: tokens.narrow,
        COUNTED: tokens.counted,
        BUDGET: tokens.budget,
        EMBED: tokens.embed,
        WATCHER: tokens.watcher,
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await mock?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a model outside the actor's allowed models with 403 naming it, in both dialects", async () => {
    await expect(
      openai(tokens.narrow).chat.completions.create({ ...chat, model: "openai::v1::text" }),
    ).resolves.toBeDefined();
    const refused = await openai(tokens.narrow)
      .chat.completions.create({ ...chat, model: "openai::v1::tools" })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    expect((refused as Error).message).toContain("openai::v1::tools");
    const viaMessages = await anthropic(tokens.narrow)
      .messages.create({
        model: "openai::v1::tools",
        max_tokens: 50,
        messages: [{ role: "user", content: "hi" }],
      })
      .catch((error: unknown) => error);
    expect((viaMessages as InstanceType<typeof Anthropic.APIError>).status).toBe(403);
  });

  it("counts requests: the third in the window is 429 with Retry-After and a message naming the limit", async () => {
    const client = openai(tokens.counted);
    const first = await client.chat.completions.create(chat).withResponse();
    expect(first.response.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(first.response.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    await client.chat.completions.create(chat);
    const refused = (await client.chat.completions
      .create(chat)
      .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.message).toMatch(/request/i);
    expect(refused.message).toMatch(/2/);
  });

  it("reports the caller's limits and usage on GET /v1/limits", async () => {
    const response = await fetch(`${gateway.url}/v1/limits`, {
      headers: { authorization: `Bearer ${tokens.counted}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<
      string,
      {
        requests: { limit: number; usage: number; remaining: number; resetAt: string };
        tokens: { usage: number };
        allowedModels: string[];
      }
    >;
    expect(body.chat?.requests).toMatchObject({ limit: 2, usage: 2, remaining: 0 });
    expect(Date.parse(body.chat!.requests.resetAt)).toBeGreaterThan(Date.now());
    // Settled with the real usage the upstream reported (the recorded answer: 16 in + 363 out), not the
    // reservation (about 55 tokens each).
    expect(body.chat?.tokens.usage).toBe(2 * (16 + 363));
    expect(body.chat?.allowedModels).toEqual(["*"]);
  });

  it("refuses a request whose worst-case cost exceeds the budget, naming the budget", async () => {
    const refused = (await openai(tokens.budget)
      .chat.completions.create({ ...chat, max_tokens: 1000 })
      .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused.status).toBe(429);
    expect(refused.message).toMatch(/budget/i);
  });

  it("limits embeddings too", async () => {
    const client = openai(tokens.embed);
    await expect(
      client.embeddings.create({ model: "openai::v1::embed", input: ["a", "b"] }),
    ).resolves.toBeDefined();
    const refused = (await client.embeddings
      .create({ model: "openai::v1::embed", input: ["a"] })
      .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused.status).toBe(429);
  });

  it("keeps readonly tokens off the model routes", async () => {
    const refused = (await openai(tokens.watcher)
      .chat.completions.create(chat)
      .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused.status).toBe(403);
  });
});
