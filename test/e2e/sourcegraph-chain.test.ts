import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UsageEvent } from "../../src/store/index.js";
import { envReference, type InProcessGateway, startInProcess } from "../faults/infra-harness.js";
import { type MockUpstream, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { expectedFromStream, recordingFor } from "../mock-upstream/recordings.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";

/**
 * Gateways chain (issue 16): an edge Tollgate whose provider is of type `sourcegraph` forwards to a central
 * Tollgate's Cody Gateway route, and the central one holds the Anthropic key. One streamed request through both:
 * each records its own usage event (the edge: the client's actor; the central: the edge's), with one trace and one
 * request id.
 */

const aliceToken = `tg_chain_alice_${randomBytes(12).toString("hex")}`;
/** The edge's token at the central gateway: a Sourcegraph license token, as an instance would send. */
const edgeToken = `slk_${randomBytes(32).toString("hex")}`;
const adminToken = `tg_chain_admin_${randomBytes(12).toString("hex")}`;
const centralKey = "sk-ant-chain-central-secret";

const model = (modelRef: string, modelName: string, extra: Record<string, unknown> = {}) => ({
  modelRef,
  modelName,
  capabilities: ["chat"],
  category: "balanced",
  status: "stable",
  contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
  ...extra,
});

function centralConfig(storage: string, mock: string): string {
  return JSON.stringify({
    storage: { url: storage },
    usage: { flushInterval: "200ms" },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "anthropic",
          serverSideConfig: { type: "anthropic", endpoint: `${mock}/anthropic`, accessToken: centralKey },
        },
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: centralKey },
        },
      ],
      modelOverrides: [
        model("anthropic::2023-06-01::text", "text"),
        model("openai::v1::gpt-text", "gpt-text"),
        model("openai::v1::text-embedding-ada-002", "text-embedding-ada-002", {
          capabilities: ["embeddings"],
        }),
      ],
      defaultModels: { chat: "anthropic::2023-06-01::text", fastChat: "", codeCompletion: "" },
    },
    actors: [{ id: "edge", tokens: [envReference("EDGE_TOKEN")] }],
  });
}

function edgeConfig(storage: string, central: string): string {
  return JSON.stringify({
    storage: { url: storage },
    usage: { flushInterval: "200ms" },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "central",
          serverSideConfig: {
            type: "sourcegraph",
            endpoint: central,
            accessToken: envReference("EDGE_TOKEN"),
          },
        },
      ],
      // The central gateway knows the model as `text`; the edge's provider id is not Cody's, so the model says
      // which Cody Gateway route serves it.
      modelOverrides: [
        model("central::v1::claude", "text", {
          serverSideConfig: { type: "sourcegraph", gatewayProvider: "anthropic" },
        }),
        model("central::v1::gpt", "gpt-text", {
          serverSideConfig: { type: "sourcegraph", gatewayProvider: "openai" },
        }),
        // Sent as Cody names embeddings models: `openai/text-embedding-ada-002`.
        model("central::v1::ada", "text-embedding-ada-002", {
          capabilities: ["embeddings"],
          serverSideConfig: { type: "sourcegraph", gatewayProvider: "openai" },
        }),
        // Cody's Google route at the central gateway, served there by its Anthropic model.
        model("central::v1::gemini-route", "text", {
          serverSideConfig: { type: "sourcegraph", gatewayProvider: "google" },
        }),
      ],
      defaultModels: { chat: "central::v1::claude", fastChat: "", codeCompletion: "" },
    },
    actors: [{ id: "alice", tokens: [envReference("ALICE_TOKEN")] }],
  });
}

type EventJson = Omit<UsageEvent, "time"> & { time: string };

/** The request's usage event on a gateway, waited for (events are written in batches). */
async function eventOf(gateway: InProcessGateway, requestId: string): Promise<EventJson> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const response = await fetch(`${gateway.gateway.url}/admin/api/usage/events?limit=100`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const { events } = (await response.json()) as { events: EventJson[] };
    const found = events.find((event) => event.requestId === requestId);
    if (found) return found;
    if (performance.now() > deadline) throw new Error(`no usage event for ${requestId} within 15 s`);
    await sleep(100);
  }
}

describe("two Tollgates chained through the sourcegraph provider type", () => {
  const schemas = [randomSchemaName(), randomSchemaName()];
  let dir: string;
  let mock: MockUpstream;
  let central: InProcessGateway;
  let edge: InProcessGateway;
  const env = { ALICE_TOKEN: aliceToken, EDGE_TOKEN: edgeToken, TOLLGATE_ADMIN_TOKEN: adminToken };

  beforeAll(async () => {
    const base = await postgresUrl();
    dir = await mkdtemp(join(tmpdir(), "tollgate-chain-"));
    mock = await startMockUpstream();
    central = await startInProcess(
      dir,
      centralConfig(withSchema(base, schemas[0]!), mock.url),
      env,
      "central.jsonc",
    );
    edge = await startInProcess(
      dir,
      edgeConfig(withSchema(base, schemas[1]!), central.gateway.url),
      env,
      "edge.jsonc",
    );
  }, 60_000);

  afterAll(async () => {
    await edge?.close();
    await central?.close();
    await mock?.close();
    await dropSchemas(schemas);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("a streamed OpenAI-SDK request through the edge reaches the mock, streams back, and is metered on both", async () => {
    const client = new OpenAI({ baseURL: `${edge.gateway.url}/v1`, apiKey: aliceToken, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({
        model: "central::v1::claude",
        stream: true,
        messages: [
          { role: "system", content: "Answer briefly." },
          { role: "user", content: "Say hello" },
        ],
      })
      .withResponse();
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";

    const expected = expectedFromStream(recordingFor("anthropic", "text"));
    expect(text).toBe(expected.text);

    // The central gateway called Anthropic with its own key, the edge's system prompt lifted back to `system`.
    const upstream = mock.requests.at(-1)!;
    expect(upstream.path).toBe("/anthropic/v1/messages");
    expect(upstream.headers["x-api-key"]).toBe(centralKey);
    expect(upstream.body).toMatchObject({ model: "text", stream: true, system: "Answer briefly." });
    expect(JSON.stringify(upstream.headers)).not.toContain(edgeToken);

    const requestId = response.headers.get("x-request-id")!;
    const traceId = response.headers.get("x-trace")!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // The trace went on upstream: the mock saw the same trace id in its traceparent.
    expect(upstream.headers.traceparent).toContain(`-${traceId}-`);

    const [atEdge, atCentral] = await Promise.all([eventOf(edge, requestId), eventOf(central, requestId)]);
    const usage = { inputTokens: expected.usage!.input, outputTokens: expected.usage!.output };
    expect(atEdge).toMatchObject({
      actorId: "alice",
      modelRef: "central::v1::claude",
      providerId: "central",
      route: "/v1/chat/completions",
      stream: true,
      status: 200,
      traceId,
      ...usage,
    });
    expect(atCentral).toMatchObject({
      actorId: "edge",
      modelRef: "anthropic::2023-06-01::text",
      providerId: "anthropic",
      route: "/v1/completions/anthropic-messages",
      feature: "chat",
      stream: true,
      status: 200,
      traceId,
      ...usage,
    });
  }, 60_000);

  it("an Anthropic-SDK stream to an OpenAI model goes through the central /v1/completions/openai, metered on both", async () => {
    const client = new Anthropic({ baseURL: edge.gateway.url, apiKey: aliceToken, maxRetries: 0 });
    const { data: stream, response } = await client.messages
      .create({
        model: "central::v1::gpt",
        max_tokens: 100,
        stream: true,
        messages: [{ role: "user", content: "Say hello" }],
      })
      .withResponse();
    let text = "";
    for await (const event of stream) {
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    }
    const expected = expectedFromStream(recordingFor("openai", "text"));
    expect(text).toBe(expected.text);
    const upstream = mock.requests.at(-1)!;
    expect(upstream.path).toBe("/openai/v1/chat/completions");
    expect(upstream.body).toMatchObject({ model: "gpt-text", stream: true });

    const requestId = response.headers.get("x-request-id")!;
    const [atEdge, atCentral] = await Promise.all([eventOf(edge, requestId), eventOf(central, requestId)]);
    const usage = { inputTokens: expected.usage!.input, outputTokens: expected.usage!.output };
    expect(atEdge).toMatchObject({ actorId: "alice", modelRef: "central::v1::gpt", status: 200, ...usage });
    expect(atCentral).toMatchObject({
      actorId: "edge",
      modelRef: "openai::v1::gpt-text",
      route: "/v1/completions/openai",
      status: 200,
      traceId: atEdge.traceId,
      ...usage,
    });
  }, 60_000);

  it("an OpenAI-SDK stream to a model on Cody's Google route: a Gemini body to the central gateway, Gemini SSE back", async () => {
    const client = new OpenAI({ baseURL: `${edge.gateway.url}/v1`, apiKey: aliceToken, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({
        model: "central::v1::gemini-route",
        stream: true,
        messages: [{ role: "user", content: "Say hello" }],
      })
      .withResponse();
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    const expected = expectedFromStream(recordingFor("anthropic", "text"));
    expect(text).toBe(expected.text);
    expect(mock.requests.at(-1)!.path).toBe("/anthropic/v1/messages");

    const requestId = response.headers.get("x-request-id")!;
    const [atEdge, atCentral] = await Promise.all([eventOf(edge, requestId), eventOf(central, requestId)]);
    const usage = { inputTokens: expected.usage!.input, outputTokens: expected.usage!.output };
    expect(atEdge).toMatchObject({
      actorId: "alice",
      modelRef: "central::v1::gemini-route",
      status: 200,
      ...usage,
    });
    expect(atCentral).toMatchObject({
      actorId: "edge",
      modelRef: "anthropic::2023-06-01::text",
      route: "/v1/completions/google",
      status: 200,
      traceId: atEdge.traceId,
      ...usage,
    });
  }, 60_000);

  it("embeddings through the edge go to the central /v1/embeddings in Cody's shape, tokens from X-Token-Usage", async () => {
    const client = new OpenAI({ baseURL: `${edge.gateway.url}/v1`, apiKey: aliceToken, maxRetries: 0 });
    const { data: answer, response } = await client.embeddings
      .create({ model: "central::v1::ada", input: ["first", "second"] })
      .withResponse();
    expect(answer.data.map((item) => item.embedding.length)).toEqual([5, 5]);
    const upstream = mock.requests.at(-1)!;
    expect(upstream.path).toBe("/openai/v1/embeddings");
    expect(upstream.body).toMatchObject({ model: "text-embedding-ada-002", input: ["first", "second"] });

    const requestId = response.headers.get("x-request-id")!;
    const [atEdge, atCentral] = await Promise.all([eventOf(edge, requestId), eventOf(central, requestId)]);
    expect(atEdge).toMatchObject({
      actorId: "alice",
      modelRef: "central::v1::ada",
      status: 200,
      inputTokens: 12,
    });
    expect(atCentral).toMatchObject({
      actorId: "edge",
      modelRef: "openai::v1::text-embedding-ada-002",
      route: "/v1/embeddings",
      status: 200,
      inputTokens: 12,
    });
  }, 60_000);
});
