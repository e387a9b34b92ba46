/**
 * Cody Gateway–compatible API (issue 16, part A): the requests a Sourcegraph instance sends
 * (test/fixtures/cody-gateway/) replayed through a real gateway (Postgres store, Redis limits) against the mock
 * upstream; responses, Cody's headers and error shapes, limits in both shapes, usage events with the actor.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { testRedis } from "../auth/redis.js";
import { type MockUpstream, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { startTestGateway } from "../support/gateway.js";

const hex = (digit: string) => digit.repeat(64);
const tokens = {
  instance: `slk_${hex("a")}`,
  limited: `slk_${hex("b")}`,
  unknown: `slk_${hex("c")}`,
  tollgate: "tg_e2e_cody_tollgate_user_0123456789",
  admin: "tg_e2e_cody_admin_0123456789abcdef",
};

/** A `${NAME}` reference in the config, read from the environment at load. */
const env = (name: string) => `$\{${name}}`;

interface Fixture {
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}
const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(new URL(`../fixtures/cody-gateway/${name}.json`, import.meta.url), "utf8"));

function config(mock: string, storage: string, redisPrefix: string): string {
  const model = (ref: string, capabilities: string[], modelName = "text") => ({
    modelRef: ref,
    displayName: ref,
    // The mock answers by the upstream model name: `text` is its recorded text answer.
    modelName,
    capabilities,
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 4000 },
  });
  const provider = (id: string, type: string) => ({
    id,
    serverSideConfig: { type, endpoint: `${mock}/${id}`, accessToken: `sk-secret-${id}` },
  });
  return JSON.stringify({
    storage: { url: storage },
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: redisPrefix },
    upstream: { circuitBreaker: { enabled: false } },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        provider("anthropic", "anthropic"),
        provider("openai", "openai"),
        provider("fireworks", "fireworks"),
      ],
      modelOverrides: [
        model("anthropic::2023-06-01::claude-3-5-sonnet-20240620", ["chat"]),
        model("anthropic::2023-06-01::claude-3-haiku-20240307", ["chat", "autocomplete"]),
        model("openai::2024-02-01::gpt-4o", ["chat"]),
        model("openai::v1::text-embedding-ada-002", ["embeddings"], "text-embedding-ada-002"),
        model("fireworks::v1::mixtral-8x7b-instruct", ["chat"]),
        model("fireworks::v1::starcoder", ["autocomplete"]),
        // Declared for autocomplete only, as an instance's code completions model often is; and a name served by a
        // chat-only and an autocomplete-only model, which the feature (not the route's body shape) tells apart.
        model("anthropic::2023-06-01::claude-instant-1.2", ["autocomplete"]),
        model("anthropic::2023-06-01::claude-3-5-haiku-latest", ["chat"]),
        model("anthropic::2024-10-22::claude-3-5-haiku-latest", ["autocomplete"]),
      ],
      defaultModels: {
        chat: "anthropic::2023-06-01::claude-3-5-sonnet-20240620",
        fastChat: "anthropic::2023-06-01::claude-3-haiku-20240307",
        codeCompletion: "fireworks::v1::starcoder",
      },
    },
    actors: [
      {
        id: "acme-sourcegraph",
        name: "Acme's Sourcegraph",
        tokens: [env("INSTANCE")],
        limits: {
          chat: { requests: 1000, interval: "1d" },
          codeCompletion: { requests: 5000, interval: "1d" },
        },
      },
      { id: "limited", tokens: [env("LIMITED")], limits: { chat: { requests: 1, interval: "1h" } } },
      { id: "tollgate-user", tokens: [env("TOLLGATE")], limits: { chat: { requests: 10, interval: "1m" } } },
    ],
  });
}

let dir: string;
let mock: MockUpstream;
let gateway: Gateway;
const redis = testRedis();
const schema = randomSchemaName();

function send(
  path: string,
  body: unknown,
  headers: Record<string, string>,
  token: string | null = tokens.instance,
): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

const replay = (name: string, token = tokens.instance) => {
  const { path, headers, body } = fixture(name);
  return send(path, body, headers, token);
};

interface EventJson {
  requestId: string;
  actorId: string | null;
  feature: string;
  modelRef: string | null;
  route: string;
  status: number;
  inputTokens: number;
  outputTokens: number;
}

/** Waits (at most the promised 5 seconds) for the request's usage event. */
async function eventOf(requestId: string): Promise<EventJson> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const response = await fetch(`${gateway.url}/admin/api/usage/events?limit=1000`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    const { events } = (await response.json()) as { events: EventJson[] };
    const found = events.find((event) => event.requestId === requestId);
    if (found) return found;
    if (performance.now() > deadline) throw new Error(`no usage event for ${requestId}`);
    await sleep(100);
  }
}

function expectTraceHeaders(response: Response): void {
  expect(response.headers.get("x-trace")).toMatch(/^[0-9a-f]{32}$/);
  expect(response.headers.get("x-trace-span")).toMatch(/^[0-9a-f]{16}$/);
  expect(response.headers.get("x-trace-span")).toBe(response.headers.get("x-span"));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-cody-"));
  mock = await startMockUpstream();
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(mock.url, withSchema(await postgresUrl(), schema), redis.keyPrefix));
  gateway = await startTestGateway({
    file,
    dir,
    configEnv: {
      INSTANCE: tokens.instance,
      LIMITED: tokens.limited,
      TOLLGATE: tokens.tollgate,
    },
    env: { TOLLGATE_ADMIN_TOKEN: tokens.admin },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  await redis.cleanup();
  await dropSchemas([schema]);
  await rm(dir, { recursive: true, force: true });
});

describe("Cody Gateway completions routes", () => {
  it("anthropic-messages: a streamed chat is answered as Anthropic's stream, with Cody's headers and a usage event", async () => {
    const response = await replay("anthropic-messages-chat");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-cody-resolved-model")).toBe("anthropic/text");
    expectTraceHeaders(response);
    const text = await response.text();
    expect(text).toContain("event: message_start");
    expect(text).toContain("event: message_stop");
    // The instance's system message is lifted to `system`, its unset top_k/top_p (-1) are not sent.
    const sent = mock.last("/anthropic").body;
    expect(sent.model).toBe("text");
    expect(sent.system).toBe("You are Cody, an AI coding assistant from Sourcegraph.");
    expect(sent.messages.map((message: { role: string }) => message.role)).toEqual([
      "user",
      "assistant",
      "user",
    ]);
    expect(sent).not.toHaveProperty("top_k");
    expect(sent).not.toHaveProperty("top_p");
    const event = await eventOf(response.headers.get("x-request-id")!);
    expect(event).toMatchObject({
      actorId: "acme-sourcegraph",
      feature: "chat",
      modelRef: "anthropic::2023-06-01::claude-3-5-sonnet-20240620",
      route: "/v1/completions/anthropic-messages",
      status: 200,
    });
    expect(event.outputTokens).toBeGreaterThan(0);
  });

  it("anthropic-messages: code_completions with the legacy sgs_ form of the token counts for the same actor", async () => {
    const response = await replay("anthropic-messages-autocomplete", `sgs_${hex("a")}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { type: string; content: unknown[] };
    expect(body.type).toBe("message");
    expect(response.headers.get("x-cody-resolved-model")).toBe("anthropic/text");
    const event = await eventOf(response.headers.get("x-request-id")!);
    expect(event).toMatchObject({
      actorId: "acme-sourcegraph",
      feature: "codeCompletion",
      modelRef: "anthropic::2023-06-01::claude-3-haiku-20240307",
    });
  });

  it("anthropic-messages: code_completions reaches a model declared for autocomplete only, not its chat namesake", async () => {
    const { path, headers, body } = fixture("anthropic-messages-autocomplete");
    const only = await send(path, { ...body, model: "anthropic/claude-instant-1.2" }, headers);
    expect(only.status).toBe(200);
    const onlyEvent = await eventOf(only.headers.get("x-request-id")!);
    expect(onlyEvent).toMatchObject({
      feature: "codeCompletion",
      modelRef: "anthropic::2023-06-01::claude-instant-1.2",
    });

    const shared = await send(path, { ...body, model: "anthropic/claude-3-5-haiku-latest" }, headers);
    expect(shared.status).toBe(200);
    const sharedEvent = await eventOf(shared.headers.get("x-request-id")!);
    expect(sharedEvent.modelRef).toBe("anthropic::2024-10-22::claude-3-5-haiku-latest");
    const chat = await send(
      path,
      { ...body, model: "anthropic/claude-3-5-haiku-latest" },
      { ...headers, "X-Sourcegraph-Feature": "chat_completions" },
    );
    expect(chat.status).toBe(200);
    const chatEvent = await eventOf(chat.headers.get("x-request-id")!);
    expect(chatEvent.modelRef).toBe("anthropic::2023-06-01::claude-3-5-haiku-latest");
  });

  it("openai: a streamed chat is answered as OpenAI's stream; code_completions is Cody's 400", async () => {
    const response = await replay("openai-chat");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-cody-resolved-model")).toBe("openai/text");
    expectTraceHeaders(response);
    const text = await response.text();
    expect(text).toContain('"object":"chat.completion.chunk"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);

    const { path, body } = fixture("openai-chat");
    const refused = await send(path, body, { "X-Sourcegraph-Feature": "code_completions" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: 'feature "code_completions" is currently not supported for OpenAI',
    });
  });

  it("fireworks: chat takes an OpenAI chat body, code completions an OpenAI completions body without languageId", async () => {
    const chat = await replay("fireworks-chat");
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as { object: string }).object).toBe("chat.completion");
    expect(mock.last("/fireworks").path).toMatch(/\/chat\/completions$/);

    const code = await replay("fireworks-autocomplete");
    expect(code.status).toBe(200);
    expect(code.headers.get("x-cody-resolved-model")).toBe("fireworks/text");
    expect(await code.text()).toContain("data: ");
    const sent = mock.last("/fireworks");
    expect(sent.path).toMatch(/\/completions$/);
    expect(sent.path).not.toMatch(/\/chat\/completions$/);
    expect(sent.body).not.toHaveProperty("languageId");
    expect(sent.body.prompt).toContain("<fim_prefix>");
  });
});

describe("Cody Gateway errors", () => {
  const { path, body } = fixture("anthropic-messages-autocomplete");

  it("X-Sourcegraph-Feature missing or invalid: Cody's 400 texts", async () => {
    const missing = await send(path, body, {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: "X-Sourcegraph-Feature header is required" });
    expectTraceHeaders(missing);
    for (const value of ["chat", "embeddings"]) {
      const invalid = await send(path, body, { "X-Sourcegraph-Feature": value });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toEqual({ error: "invalid value for X-Sourcegraph-Feature" });
    }
  });

  it("an unknown model is a 404 naming it, in Cody's shape", async () => {
    const response = await send(
      path,
      { ...body, model: "anthropic/claude-9" },
      { "X-Sourcegraph-Feature": "chat_completions" },
    );
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain('"anthropic/claude-9"');
  });

  it("an unknown token is a 401 and a malformed Authorization Cody's 400s, as {error}", async () => {
    const headers = { "X-Sourcegraph-Feature": "code_completions" };
    const unknown = await send(path, body, headers, tokens.unknown);
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/access token/);
    const none = await send(path, body, headers, null);
    expect(none.status).toBe(401);
    expect(await none.json()).toHaveProperty("error");

    const untyped = await send(path, body, { ...headers, authorization: tokens.instance }, null);
    expect(untyped.status).toBe(400);
    expect(await untyped.json()).toEqual({ error: "token type missing in Authorization header" });
    const otherType = await send(
      path,
      body,
      { ...headers, authorization: `token ${tokens.instance}` },
      undefined,
    );
    expect(otherType.status).toBe(400);
    expect(await otherType.json()).toEqual({ error: "invalid token type token" });
    // The scheme is case-insensitive.
    const upper = await send(
      path,
      body,
      { ...headers, authorization: `BEARER ${tokens.instance}` },
      undefined,
    );
    expect(upper.status).toBe(200);
  });

  it("a request over the limit is Cody's plain-text 429 with x-ratelimit-* and an RFC 1123 retry-after", async () => {
    const chat = fixture("fireworks-chat");
    expect((await replay("fireworks-chat", tokens.limited)).status).toBe(200);
    const refused = await send(chat.path, chat.body, chat.headers, tokens.limited);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await refused.text();
    expect(text).toMatch(
      /^you have exceeded the rate limit of 1 requests\. Retry after \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\n$/,
    );
    expect(refused.headers.get("x-ratelimit-limit")).toBe("1");
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    const retryAfter = refused.headers.get("retry-after")!;
    expect(retryAfter).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(retryAfter)).toBeGreaterThan(Date.now() - 1000);
    expect(text).toContain(retryAfter);
    const event = await eventOf(refused.headers.get("x-request-id")!);
    expect(event).toMatchObject({ actorId: "limited", status: 429, inputTokens: 0 });
  });
});

describe("routes Cody shares with Tollgate's API", () => {
  it("GET /v1/limits answers in Cody's shape for a Cody token and in Tollgate's for a Tollgate token", async () => {
    const cody = await fetch(`${gateway.url}/v1/limits`, {
      headers: { authorization: `Bearer ${tokens.instance}` },
    });
    expect(cody.status).toBe(200);
    const codyBody = (await cody.json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(codyBody).sort()).toEqual(["chat_completions", "code_completions"]);
    expect(codyBody.chat_completions).toMatchObject({
      limit: 1000,
      interval: "24h0m0s",
      allowedModels: ["*"],
    });
    expect(codyBody.code_completions).toMatchObject({ limit: 5000, interval: "24h0m0s" });
    // Used by the tests above: usage and an RFC 3339 expiry.
    expect(codyBody.chat_completions!.usage).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(codyBody.chat_completions!.expiry as string))).toBe(false);

    const tollgate = await fetch(`${gateway.url}/v1/limits`, {
      headers: { authorization: `Bearer ${tokens.tollgate}` },
    });
    expect(tollgate.status).toBe(200);
    const body = (await tollgate.json()) as Record<string, { interval: string; requests: { limit: number } }>;
    expect(body.chat).toMatchObject({ interval: "1m", requests: { limit: 10 } });
  });

  it("POST /v1/limits/refresh answers an empty 200", async () => {
    const response = await fetch(`${gateway.url}/v1/limits/refresh`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.instance}` },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it("POST /v1/embeddings with a Cody token is served by the Cody ingress, with a Tollgate token by OpenAI's", async () => {
    const request = {
      model: "openai/text-embedding-ada-002",
      input: ["func main() {}", "package main"],
      isQuery: false,
    };
    const cody = await send("/v1/embeddings", request, {}, tokens.instance);
    expect(cody.headers.get("x-trace-span")).toMatch(/^[0-9a-f]{16}$/);
    expect(cody.status).toBe(200);
    expect(cody.headers.get("x-token-usage")).toMatch(/^\d+$/);
    const embedded = (await cody.json()) as {
      embeddings: Array<{ index: number; data: number[] }>;
      model: string;
      dimensions: number;
    };
    expect(Object.keys(embedded).sort()).toEqual(["dimensions", "embeddings", "model"]);
    expect(embedded.model).toBe("openai/text-embedding-ada-002");
    expect(embedded.embeddings.map((item) => item.index)).toEqual([0, 1]);
    expect(embedded.dimensions).toBe(embedded.embeddings[0]!.data.length);
    expect(embedded.dimensions).toBeGreaterThan(0);
    const unknownCody = await send("/v1/embeddings", request, {}, tokens.unknown);
    expect(unknownCody.status).toBe(401);
    expect(await unknownCody.json()).toEqual({ error: expect.any(String) });

    const openai = await send("/v1/embeddings", request, {}, tokens.tollgate);
    expect(openai.headers.get("x-trace-span")).toBeNull();
    expect(((await openai.json()) as { error: { message: string } }).error.message).toEqual(
      expect.any(String),
    );
  });
});
