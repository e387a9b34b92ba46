import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { openStore, type UsageEvent } from "../../src/store/index.js";
import { type MockUpstream, sendJson, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

/**
 * Usage events end to end (issue 14): every request becomes one event, refused and failed ones included, visible
 * through the usage API within 5 seconds, written without making any request wait, and flushed on shutdown.
 */

const userToken = "tg_e2e_usage_user_0123456789abcdef";
const narrowToken = "tg_e2e_usage_narrow_0123456789abcd";
const watcherToken = "tg_e2e_usage_watcher_0123456789abc";
const adminToken = "tg_e2e_usage_admin_0123456789abcdef";
const env = (name: string) => `$\{${name}}`;

function config(mock: string, storage: string): string {
  const model = (provider: string, id: string) => ({
    modelRef: `${provider}::v1::${id}`,
    modelName: id,
    capabilities: ["chat"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
    pricing: { input: 3, output: 15 },
  });
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    usage: { flushInterval: "1s" },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: "sk-test" },
        },
        {
          id: "claude",
          serverSideConfig: { type: "anthropic", endpoint: `${mock}/anthropic`, accessToken: "sk-ant-test" },
        },
      ],
      modelOverrides: [
        model("openai", "text"),
        model("openai", "broken"),
        model("openai", "pause"),
        model("claude", "text"),
        model("claude", "stops-midway"),
      ],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::text", codeCompletion: "" },
    },
    actors: [
      { id: "alice", tokens: [env("USER")] },
      {
        id: "narrow",
        tokens: [env("NARROW")],
        allowedModels: ["openai::*"],
        limits: { chat: { requests: 1, interval: "1h" } },
      },
      { id: "watcher", role: "readonly", tokens: [env("WATCHER")] },
    ],
  });
}

function scriptAnswers(mock: MockUpstream): void {
  mock.script("broken", (_request, response) =>
    sendJson(response, 500, { error: { message: "boom", type: "server_error" } }),
  );
  mock.script("pause", (_request, response) => {
    setTimeout(() => {
      sendJson(response, 200, {
        id: "chatcmpl-pause",
        object: "chat.completion",
        model: "pause",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      });
    }, 20);
  });
  // An Anthropic stream that reports its input, sends some text, then stalls until the client leaves.
  mock.script("stops-midway", (_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    const events = [
      {
        type: "message_start",
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "stops-midway",
          content: [],
          stop_reason: null,
          usage: { input_tokens: 25, output_tokens: 1 },
        },
      },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } },
    ];
    for (const event of events) response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  });
}

let dir: string;
let mock: MockUpstream;
let gateway: Gateway;

async function start(): Promise<Gateway> {
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(mock.url, join(dir, "tollgate.db")));
  return startTestGateway({
    file,
    dir,
    configEnv: { USER: userToken, NARROW: narrowToken, WATCHER: watcherToken },
    env: { TOLLGATE_ADMIN_TOKEN: adminToken },
  });
}

function chat(model: string, token = userToken, extra: RequestInit = {}) {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ model, max_tokens: 50, messages: [{ role: "user", content: "hi" }] }),
    ...extra,
  });
}

function get(path: string, token = adminToken, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

type EventJson = Omit<UsageEvent, "time"> & { time: string };

/** Waits (at most the promised 5 seconds) for the request's event to show in the API. */
async function eventOf(requestId: string): Promise<EventJson> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const body = (await (await get("/admin/api/usage/events?limit=1000")).json()) as { events: EventJson[] };
    const found = body.events.find((event) => event.requestId === requestId);
    if (found) return found;
    if (performance.now() > deadline) throw new Error(`no usage event for ${requestId} within 5 s`);
    await sleep(100);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-e2e-usage-"));
  mock = await startMockUpstream();
  scriptAnswers(mock);
  gateway = await start();
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("usage events", () => {
  it("an answered request: its event is visible within 5 seconds, with tokens, cost and times", async () => {
    const response = await chat("openai::v1::text");
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const event = await eventOf(response.headers.get("x-request-id")!);
    expect(event).toMatchObject({
      actorId: "alice",
      feature: "chat",
      route: "/v1/chat/completions",
      dialect: "openai",
      modelRef: "openai::v1::text",
      providerId: "openai",
      endpoint: mock.url,
      credential: "config",
      stream: false,
      status: 200,
      errorCode: null,
      inputTokens: answer.usage.prompt_tokens,
      outputTokens: answer.usage.completion_tokens,
    });
    expect(event.costUsd).toBeCloseTo((event.inputTokens * 3 + event.outputTokens * 15) / 1e6, 12);
    expect(event.tokenId).toMatch(/\S/);
    expect(Date.parse(event.time)).toBeGreaterThan(Date.now() - 60_000);
    for (const time of [event.ttftMs, event.upstreamMs, event.overheadMs])
      expect(time).toBeGreaterThanOrEqual(0);
    expect(event.latencyMs).toBeGreaterThanOrEqual(event.ttftMs!);
  });

  it("an upstream error is an event with its status and code, and no tokens", async () => {
    const response = await chat("openai::v1::broken");
    expect(response.status).toBeGreaterThanOrEqual(500);
    const event = await eventOf(response.headers.get("x-request-id")!);
    expect(event).toMatchObject({ status: response.status, modelRef: "openai::v1::broken", inputTokens: 0 });
    expect(event.errorCode).toMatch(/\S/);
  });

  it("refusals (401, 403, 429) are events with zero tokens", async () => {
    const unauthenticated = await chat("openai::v1::text", "tg_wrong_token_0123456789abcdef");
    const forbidden = await chat("claude::v1::text", narrowToken);
    const first = await chat("openai::v1::text", narrowToken);
    const limited = await chat("openai::v1::text", narrowToken);
    expect([unauthenticated.status, forbidden.status, first.status, limited.status]).toEqual([
      401, 403, 200, 429,
    ]);
    for (const [response, actorId] of [
      [unauthenticated, null],
      [forbidden, "narrow"],
      [limited, "narrow"],
    ] as const) {
      const event = await eventOf(response.headers.get("x-request-id")!);
      expect(event).toMatchObject({
        status: response.status,
        actorId,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        upstreamMs: null,
      });
    }
  });

  // The provider bills what it produced before the client left: the event has the input estimate plus about one
  // token per relayed event, as the limits were charged.
  it("a client that leaves mid-stream: one 499 event with the tokens counted up to the abort", async () => {
    const abort = new AbortController();
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: {
        "x-api-key": userToken,
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
      },
      body: JSON.stringify({
        model: "claude::v1::stops-midway",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
      signal: abort.signal,
    });
    const requestId = response.headers.get("x-request-id")!;
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes("Hello")) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const event = await eventOf(requestId);
    expect(event).toMatchObject({
      status: 499,
      stream: true,
      dialect: "anthropic",
      route: "/v1/messages",
      providerId: "claude",
      modelRef: "claude::v1::stops-midway",
      errorCode: "client_closed",
    });
    expect(event.ttftMs).toBeGreaterThan(0);
    expect(event.inputTokens).toBeGreaterThan(0);
    expect(event.outputTokens).toBeGreaterThan(0);
    expect(event.outputTokens).toBeLessThanOrEqual(50);
  });
});

describe("usage API", () => {
  it("sums per group; readonly tokens may read, user tokens may not", async () => {
    const response = await get("/admin/api/usage?groupBy=actor,model", watcherToken);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      from: string;
      to: string;
      groupBy: string[];
      rows: Record<string, unknown>[];
    };
    expect(body.groupBy).toEqual(["actor", "model"]);
    // The default range: the last 24 hours.
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(86_400_000);
    const alice = body.rows.find((row) => row.actor === "alice" && row.model === "openai::v1::text");
    expect(alice).toMatchObject({ requests: expect.any(Number), errors: 0 });
    expect(Object.keys(alice!)).toEqual([
      "actor",
      "model",
      "requests",
      "errors",
      "inputTokens",
      "outputTokens",
      "cacheReadTokens",
      "cacheWriteTokens",
      "reasoningTokens",
      "costUsd",
    ]);
    expect(body.rows.find((row) => row.actor === null)).toMatchObject({ requests: 1, errors: 1 });
    expect((await get("/admin/api/usage", userToken)).status).toBe(403);
  });

  it("answers CSV for format=csv or Accept: text/csv", async () => {
    for (const response of [
      await get("/admin/api/usage?groupBy=status&format=csv"),
      await get("/admin/api/usage?groupBy=status", adminToken, { accept: "text/csv" }),
    ]) {
      expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
      const lines = (await response.text()).trimEnd().split("\r\n");
      expect(lines[0]).toBe(
        "status,requests,errors,inputTokens,outputTokens,cacheReadTokens,cacheWriteTokens,reasoningTokens,costUsd",
      );
      expect(lines.some((line) => line.startsWith("401,1,1,0,0,0,0,0,0"))).toBe(true);
    }
    const events = await get("/admin/api/usage/events?format=csv&limit=2");
    expect((await events.text()).split("\r\n")[0]).toMatch(/^time,requestId,traceId,actorId,.*,eventId$/);
  });

  it("GET /v1/usage is the caller's alone", async () => {
    const response = await get("/v1/usage?groupBy=actor", narrowToken);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { rows: { actor: string; requests: number; errors: number }[] };
    expect(body.rows).toEqual([expect.objectContaining({ actor: "narrow", requests: 3, errors: 2 })]);
    const refused = await get("/v1/usage?actor=alice", narrowToken);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { param: string } }).error.param).toBe("actor");
  });

  it.each([
    ["from=yesterday", "from"],
    ["to=2025-01-01T10:00:00", "to"],
    ["from=2025-01-02&to=2025-01-01", "to"],
    ["groupBy=actor,colour", "groupBy"],
    ["status=abc", "status"],
    ["feature=poetry", "feature"],
    ["format=xml", "format"],
    ["colour=red", "colour"],
  ])("a bad query (%s) is a 400 naming %s", async (query, field) => {
    const response = await get(`/admin/api/usage?${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; param: string } };
    expect(body.error.param).toBe(field);
    expect(body.error.message).toContain(field);
  });

  it("a bad events limit is a 400 naming limit", async () => {
    const response = await get("/admin/api/usage/events?limit=5000");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe("limit");
  });
});

describe("writing usage off the request path", () => {
  it("requests do not wait while a flush hangs; nothing is lost; everything is written by close()", async () => {
    const repository = gateway.store.usageEvents;
    const insertMany = repository.insertMany;
    const timed = async () => {
      const started = performance.now();
      const response = await chat("openai::v1::pause");
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      return { ms: performance.now() - started, id: response.headers.get("x-request-id")! };
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

    const before: number[] = [];
    for (let index = 0; index < 10; index++) before.push((await timed()).ms);
    await gateway.usage.flush();

    // The store stops answering: every flush hangs until it is let go.
    let letGo: () => void = () => {};
    const hung = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    let hangs = 0;
    repository.insertMany = async (events) => {
      hangs++;
      await hung;
      return insertMany(events);
    };
    const during: number[] = [];
    const ids: string[] = [];
    for (let index = 0; index < 10; index++) {
      const { ms, id } = await timed();
      during.push(ms);
      ids.push(id);
    }
    await expect.poll(() => hangs, { timeout: 3_000 }).toBeGreaterThan(0);
    for (let index = 0; index < 10; index++) {
      const { ms, id } = await timed();
      during.push(ms);
      ids.push(id);
    }
    expect(median(during)).toBeLessThan(median(before) + 20);
    expect(gateway.usage.depth).toBeGreaterThanOrEqual(20);
    expect(gateway.usage.dropped).toBe(0);

    // Shut down while the flush still hangs; the store comes back meanwhile and close() writes everything.
    setTimeout(() => letGo(), 300);
    await gateway.close();
    const store = await openStore(`sqlite:${join(dir, "tollgate.db")}`);
    try {
      const written = await store.usageEvents.list({
        from: new Date(Date.now() - 3_600_000),
        to: new Date(Date.now() + 60_000),
        limit: 1000,
      });
      const writtenIds = new Set(written.map((event) => event.requestId));
      for (const id of ids) expect(writtenIds.has(id)).toBe(true);
    } finally {
      await store.close();
      repository.insertMany = insertMany;
    }
  });
});
