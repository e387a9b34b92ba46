/**
 * Cody Gateway's translated routes (issue 16, part B) through a real gateway (Postgres store, Redis limits) against
 * the mock upstream: `/v1/completions/anthropic` (Anthropic's legacy Text Completions) and `/v1/completions/google`
 * (Gemini's generateContent) reaching models of other dialects, Cody's embeddings; whole and streamed, with the
 * body shapes a Sourcegraph instance reads (test/fixtures/cody-gateway/), usage recorded, and Cody's errors.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseText } from "../../src/dialects/sse.js";
import type { Gateway } from "../../src/server/gateway.js";
import { testRedis } from "../auth/redis.js";
import { type MockUpstream, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { startTestGateway } from "../support/gateway.js";

const token = `slk_${"d".repeat(64)}`;
const admin = "tg_e2e_cody_translated_admin_0123456789";

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/cody-gateway/${name}`, import.meta.url), "utf8"));

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
  const provider = (id: string) => ({
    id,
    serverSideConfig: { type: id, endpoint: `${mock}/${id}`, accessToken: `sk-secret-${id}` },
  });
  return JSON.stringify({
    storage: { url: storage },
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: redisPrefix },
    upstream: { circuitBreaker: { enabled: false } },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [provider("anthropic"), provider("openai")],
      modelOverrides: [
        model("anthropic::2023-01-01::claude-2.1", ["chat"]),
        model("anthropic::2023-01-01::claude-instant-1.2", ["chat", "autocomplete"]),
        // An instance's "google" model served by an OpenAI model: the route reaches whatever Tollgate has. Used for
        // code completions too, so declared for autocomplete.
        model("openai::v1::gemini-1.5-flash", ["chat", "autocomplete"]),
        model("openai::v1::text-embedding-ada-002", ["embeddings"], "text-embedding-ada-002"),
      ],
      defaultModels: {
        chat: "anthropic::2023-01-01::claude-2.1",
        fastChat: "anthropic::2023-01-01::claude-instant-1.2",
        codeCompletion: "anthropic::2023-01-01::claude-instant-1.2",
      },
    },
    actors: [
      {
        id: "acme-sourcegraph",
        // Read from the environment at load.
        tokens: [`$\{INSTANCE}`],
        limits: {
          chat: { requests: 1000, interval: "1d" },
          codeCompletion: { requests: 1000, interval: "1d" },
        },
      },
    ],
  });
}

let dir: string;
let mock: MockUpstream;
let gateway: Gateway;
const redis = testRedis();
const schema = randomSchemaName();

function send(path: string, body: unknown, feature?: string): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      ...(feature ? { "x-sourcegraph-feature": feature } : {}),
    },
    body: JSON.stringify(body),
  });
}

interface GeminiChunk {
  candidates: [{ content: { role: string; parts: Array<{ text: string }> }; finishReason?: string }];
  usageMetadata: { promptTokenCount: number; candidatesTokenCount: number };
}

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

async function eventOf(response: Response): Promise<EventJson> {
  const requestId = response.headers.get("x-request-id");
  const deadline = performance.now() + 15_000;
  for (;;) {
    const answer = await fetch(`${gateway.url}/admin/api/usage/events?limit=1000`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const { events } = (await answer.json()) as { events: EventJson[] };
    const found = events.find((event) => event.requestId === requestId);
    if (found) return found;
    if (performance.now() > deadline) throw new Error(`no usage event for ${requestId}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-cody-translated-"));
  mock = await startMockUpstream();
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(mock.url, withSchema(await postgresUrl(), schema), redis.keyPrefix));
  gateway = await startTestGateway({
    file,
    dir,
    configEnv: { INSTANCE: token },
    env: { TOLLGATE_ADMIN_TOKEN: admin },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  await redis.cleanup();
  await dropSchemas([schema]);
  await rm(dir, { recursive: true, force: true });
});

describe("/v1/completions/anthropic (legacy Text Completions)", () => {
  it("streams cumulative completions ending in [DONE], from an Anthropic Messages upstream, usage recorded", async () => {
    const response = await send(
      "/v1/completions/anthropic",
      fixture("anthropic-legacy-request.json"),
      "chat_completions",
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-cody-resolved-model")).toBe("anthropic/text");
    const records = parseSseText(await response.text());
    expect(records.at(-1)?.data).toBe("[DONE]");
    const payloads = records
      .slice(0, -1)
      .map((record) => JSON.parse(record.data) as { completion: string; stop_reason: string | null });
    expect(payloads.length).toBeGreaterThan(1);
    for (let index = 1; index < payloads.length; index++)
      expect(payloads[index]!.completion.startsWith(payloads[index - 1]!.completion)).toBe(true);
    expect(payloads.at(-1)?.stop_reason).toBe("stop_sequence");
    expect(payloads.at(-1)?.completion.length).toBeGreaterThan(0);
    const sent = mock.last("/anthropic").body;
    expect(sent.system).toBe("You are Cody, an AI coding assistant from Sourcegraph.");
    expect(sent.messages.map((message: { role: string }) => message.role)).toEqual([
      "user",
      "assistant",
      "user",
    ]);
    expect(sent.max_tokens).toBe(1000);
    const event = await eventOf(response);
    expect(event).toMatchObject({
      actorId: "acme-sourcegraph",
      feature: "chat",
      modelRef: "anthropic::2023-01-01::claude-2.1",
      route: "/v1/completions/anthropic",
      status: 200,
    });
    expect(event.outputTokens).toBeGreaterThan(0);
  });

  it("answers an autocomplete whole, the prefill sent as the last assistant turn", async () => {
    const response = await send(
      "/v1/completions/anthropic",
      fixture("anthropic-legacy-autocomplete-request.json"),
      "code_completions",
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(Object.keys(fixture("anthropic-legacy-response.json")).sort());
    expect(typeof body.completion).toBe("string");
    const sent = mock.last("/anthropic").body;
    expect(sent.messages.at(-1)).toMatchObject({ role: "assistant" });
    expect(sent).not.toHaveProperty("top_k");
    const event = await eventOf(response);
    expect(event).toMatchObject({
      feature: "codeCompletion",
      modelRef: "anthropic::2023-01-01::claude-instant-1.2",
    });
    expect(event.inputTokens).toBeGreaterThan(0);
  });

  it("refuses max_tokens_to_sample above the model's maximum with Cody's 400, before any upstream call", async () => {
    const before = mock.requests.length;
    const response = await send(
      "/v1/completions/anthropic",
      { ...fixture("anthropic-legacy-request.json"), max_tokens_to_sample: 5000 },
      "chat_completions",
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "max_tokens_to_sample exceeds maximum allowed value of 4000: 5000",
    });
    expect(mock.requests.length).toBe(before);
  });

  it("refuses a prompt without a Human turn with a 400 naming the field", async () => {
    const response = await send(
      "/v1/completions/anthropic",
      { prompt: "just text", max_tokens_to_sample: 10, model: "claude-2.1" },
      "chat_completions",
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toContain("prompt");
  });
});

describe("/v1/completions/google (Gemini generateContent)", () => {
  it("streams Gemini records from an OpenAI upstream; the last carries usageMetadata; usage recorded", async () => {
    const response = await send("/v1/completions/google", fixture("google-request.json"), "chat_completions");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-cody-resolved-model")).toBe("openai/text");
    const records = parseSseText(await response.text()).map(
      (record) => JSON.parse(record.data) as GeminiChunk,
    );
    expect(records.length).toBeGreaterThan(1);
    const text = records
      .map((record) => record.candidates[0].content.parts.map((part: { text: string }) => part.text).join(""))
      .join("");
    expect(text.length).toBeGreaterThan(0);
    const last = records.at(-1)!;
    expect(last.candidates[0].finishReason).toBe("STOP");
    expect(last.usageMetadata.candidatesTokenCount).toBeGreaterThan(0);
    const sent = mock.last("/openai").body;
    expect(sent.messages[0]).toEqual({
      role: "system",
      content: "You are Cody, an AI coding assistant from Sourcegraph.",
    });
    expect(sent.stream).toBe(true);
    const event = await eventOf(response);
    expect(event).toMatchObject({ feature: "chat", modelRef: "openai::v1::gemini-1.5-flash", status: 200 });
    expect(event.outputTokens).toBe(last.usageMetadata.candidatesTokenCount);
  });

  it("answers whole in Gemini's response shape", async () => {
    const response = await send(
      "/v1/completions/google",
      { ...fixture("google-request.json"), stream: false },
      "code_completions",
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as GeminiChunk;
    expect(body.candidates[0].content.role).toBe("model");
    expect(body.usageMetadata.promptTokenCount).toBeGreaterThan(0);
    expect((await eventOf(response)).feature).toBe("codeCompletion");
  });

  it("refuses the embeddings feature and a function part with Cody's 400s", async () => {
    const feature = await send("/v1/completions/google", fixture("google-request.json"), "embeddings");
    expect(feature.status).toBe(400);
    expect(await feature.json()).toEqual({ error: "invalid value for X-Sourcegraph-Feature" });
    const functionPart = await send(
      "/v1/completions/google",
      { model: "gemini-1.5-flash", contents: [{ role: "user", parts: [{ functionCall: { name: "f" } }] }] },
      "chat_completions",
    );
    expect(functionPart.status).toBe(400);
    expect(((await functionPart.json()) as { error: string }).error).toContain("contents[0].parts[0]");
  });
});

describe("Cody embeddings", () => {
  it("embeds through the OpenAI model, answering in Cody's shape with X-Token-Usage", async () => {
    const response = await send("/v1/embeddings", fixture("embeddings-request.json"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-token-usage")).toBe("12");
    const body = (await response.json()) as {
      embeddings: Array<{ index: number; data: number[] }>;
      model: string;
      dimensions: number;
    };
    expect(body.model).toBe("openai/text-embedding-ada-002");
    expect(body.embeddings.map((item) => item.index)).toEqual([0, 1]);
    expect(body.dimensions).toBe(body.embeddings[0]!.data.length);
    expect(mock.last("/openai").body).toEqual({
      model: "text-embedding-ada-002",
      input: ["func main() {}", "package main"],
      encoding_format: "float",
    });
    const event = await eventOf(response);
    expect(event).toMatchObject({
      feature: "embeddings",
      modelRef: "openai::v1::text-embedding-ada-002",
      inputTokens: 12,
    });
  });

  it("refuses an unknown model and a bad input in Cody's error shape", async () => {
    const unknown = await send("/v1/embeddings", {
      model: "sourcegraph/st-multi-qa-mpnet-base-dot-v1",
      input: ["x"],
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain("st-multi-qa-mpnet-base-dot-v1");
    const bad = await send("/v1/embeddings", { model: "openai/text-embedding-ada-002", input: [1] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("input[0]");
  });

  it("lists the embeddings models the caller may use", async () => {
    const response = await fetch(`${gateway.url}/v1/embeddings/models`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { name: "openai/text-embedding-ada-002", dimensions: 1536, enabled: true, deprecated: false },
    ]);
  });
});
