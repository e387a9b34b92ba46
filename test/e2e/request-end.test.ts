import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RequestOutcome } from "../../src/proxy/outcome.js";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

/**
 * Every request ends exactly once, through one place, whatever happens (issue 10): the concurrency slot is
 * given back, the outcome reaches the sink once, and /v1/limits shows nothing held. Each phase of a request is
 * made to fail in turn: body read, upstream headers, upstream body, stream, client gone, timeouts.
 */

const token = "tg_e2e_request_end_0123456789abcdef";
const narrowToken = "tg_e2e_request_end_narrow_0123456789";
const env = (name: string) => `$\{${name}}`;
const chatBody = (model: string, stream = false) =>
  JSON.stringify({ model, stream, max_tokens: 50, messages: [{ role: "user", content: "hi" }] });

function config(mock: string, storage: string, redis?: { url: string; keyPrefix: string }): string {
  const model = (id: string, timeouts?: object) => ({
    modelRef: `openai::v1::${id}`,
    modelName: id,
    capabilities: ["chat"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
    pricing: { input: 3, output: 15 },
    ...(timeouts ? { timeouts } : {}),
  });
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    ...(redis ? { redis } : {}),
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
        model("text"),
        model("reset-mid-body"),
        model("stall-body", { idle: "300ms" }),
        model("slow-body"),
        model("huge-body"),
        model("trickle-body", { idle: "1s", total: "800ms" }),
        model("keepalive-stream", { idle: "1s", total: "800ms" }),
        model("reset-mid-stream"),
        model("slow-answer"),
        {
          modelRef: "claude::2023-06-01::claude-text",
          modelName: "text",
          capabilities: ["chat"],
          category: "balanced",
          status: "stable",
          contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
        },
      ],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::text", codeCompletion: "" },
    },
    actors: [
      {
        id: "one-at-a-time",
        tokens: [env("TOKEN")],
        limits: {
          chat: { concurrent: 1, requests: 1000, interval: "1h" },
          "*": { requests: 1000, interval: "1h" },
        },
      },
      {
        id: "narrow",
        tokens: [env("NARROW")],
        allowedModels: ["openai::*"],
        limits: { chat: { requests: 2, interval: "1h" } },
      },
    ],
  });
}

/** Scripted upstream answers that fail in each phase after the headers. */
function scriptFailures(mock: MockUpstream): void {
  const headers = { "content-type": "application/json" };
  mock.script("reset-mid-body", (_request, response) => {
    response.writeHead(200, { ...headers, "content-length": "1000" });
    response.write('{"id":"chatcmpl-1","choices":[');
    setTimeout(() => response.socket?.destroy(), 20);
  });
  mock.script("stall-body", (_request, response) => {
    response.writeHead(200, { ...headers, "content-length": "1000" });
    response.write('{"id":');
  });
  mock.script("slow-body", (_request, response) => {
    response.writeHead(200, headers);
    response.write('{"id":');
    setTimeout(() => response.end('"x"}'), 3000).unref();
  });
  mock.script("huge-body", (_request, response) => {
    response.writeHead(200, headers);
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const more = () => {
      while (sent < 40 && !response.destroyed) {
        sent++;
        if (!response.write(chunk)) return void response.once("drain", more);
      }
      response.end();
    };
    more();
  });
  mock.script("trickle-body", (_request, response) => {
    response.writeHead(200, headers);
    const timer = setInterval(() => response.write(" "), 100);
    response.once("close", () => clearInterval(timer));
  });
  mock.script("keepalive-stream", (_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    const timer = setInterval(() => response.write(": keep-alive\n\n"), 100);
    response.once("close", () => clearInterval(timer));
  });
  mock.script("slow-answer", (_request, response) => {
    setTimeout(() => {
      response.writeHead(200, headers);
      response.end(
        JSON.stringify({
          id: "chatcmpl-slow",
          object: "chat.completion",
          model: "slow-answer",
          choices: [{ index: 0, message: { role: "assistant", content: "late" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        }),
      );
    }, 300);
  });
  mock.script("reset-mid-stream", (_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write(
      `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "Hel" } }] })}\n\n`,
    );
    setTimeout(() => response.socket?.destroy(), 20);
  });
}

async function until<T>(
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

interface Replica {
  gateway: Gateway;
  outcomes: RequestOutcome[];
}

async function startReplica(
  dir: string,
  mock: MockUpstream,
  name: string,
  redis?: { url: string; keyPrefix: string },
) {
  const file = join(dir, `${name}.jsonc`);
  await writeFile(file, config(mock.url, join(dir, `${name}.db`), redis));
  const outcomes: RequestOutcome[] = [];
  const gateway = await startTestGateway({
    file,
    dir,
    configEnv: { TOKEN: token, NARROW: narrowToken },
    onOutcome: (outcome) => outcomes.push(structuredClone(outcome)),
  });
  return { gateway, outcomes } satisfies Replica;
}

function post(
  replica: Replica,
  path: string,
  body: string,
  options: { token?: string; signal?: AbortSignal; headers?: Record<string, string> } = {},
) {
  return fetch(`${replica.gateway.url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${options.token ?? token}`,
      "content-type": "application/json",
      ...options.headers,
    },
    body,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

async function slotsInUse(replica: Replica): Promise<number> {
  const response = await fetch(`${replica.gateway.url}/v1/limits`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const limits = (await response.json()) as { chat: { concurrent: { inUse: number } } };
  return limits.chat.concurrent.inUse;
}

/** The phases that must each end the request once and give its slot back. */
function failurePhases(replicas: () => Replica[]) {
  const pick = (index: number) => replicas()[index % replicas().length]!;
  return [
    {
      name: "the upstream resets the connection in the middle of a JSON body",
      run: async (index: number) => {
        const response = await post(
          pick(index),
          "/v1/chat/completions",
          chatBody("openai::v1::reset-mid-body"),
        );
        expect(response.status).toBe(502);
        return 502;
      },
    },
    {
      name: "the idle timeout fires while a JSON body arrives",
      run: async (index: number) => {
        const response = await post(pick(index), "/v1/chat/completions", chatBody("openai::v1::stall-body"));
        expect(response.status).toBe(504);
        return 504;
      },
    },
    {
      name: "the answer exceeds the body cap",
      run: async (index: number) => {
        const response = await post(pick(index), "/v1/chat/completions", chatBody("openai::v1::huge-body"));
        expect(response.status).toBe(502);
        expect(await response.text()).toContain("larger than");
        return 502;
      },
    },
    {
      name: "the client leaves while the upstream body arrives",
      run: async (index: number) => {
        const abort = new AbortController();
        const pending = post(pick(index), "/v1/chat/completions", chatBody("openai::v1::slow-body"), {
          signal: abort.signal,
        }).catch((error: unknown) => error);
        await sleep(150);
        abort.abort();
        expect(await pending).toBeInstanceOf(Error);
        return 499;
      },
    },
    {
      name: "an upstream that trickles a JSON body reaches the total deadline",
      run: async (index: number) => {
        const started = performance.now();
        const response = await post(
          pick(index),
          "/v1/chat/completions",
          chatBody("openai::v1::trickle-body"),
        );
        expect(response.status).toBe(504);
        expect(await response.text()).toContain("total deadline of 800ms");
        expect(performance.now() - started).toBeLessThan(2500);
        return 504;
      },
    },
    {
      // Nothing of the answer reached the client: an HTTP error status, not a 200 carrying an error event.
      name: "a stream of keep-alive comments reaches the total deadline: a 504 before any byte of the answer",
      run: async (index: number) => {
        const response = await post(
          pick(index),
          "/v1/chat/completions",
          chatBody("openai::v1::keepalive-stream", true),
        );
        expect(response.status).toBe(504);
        const text = await response.text();
        expect(text).toContain('"code":"upstream_timeout"');
        expect(text).toContain("total deadline");
        return 504;
      },
    },
    {
      name: "the upstream resets in the middle of a stream",
      run: async (index: number) => {
        const response = await post(
          pick(index),
          "/v1/chat/completions",
          chatBody("openai::v1::reset-mid-stream", true),
        );
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('"error"');
        return 502;
      },
    },
    {
      name: "the client sends a body that never completes",
      run: async (index: number) => {
        const { request } = await import("node:http");
        const url = new URL(`${pick(index).gateway.url}/v1/chat/completions`);
        const outgoing = request({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            "content-length": "500",
          },
        });
        outgoing.on("error", () => {});
        outgoing.write('{"model":');
        await sleep(100);
        outgoing.destroy();
        return 499;
      },
    },
  ];
}

describe("one end for every request (in-memory limits)", () => {
  let dir: string;
  let mock: MockUpstream;
  let replica: Replica;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-request-end-"));
    mock = await startMockUpstream();
    scriptFailures(mock);
    replica = await startReplica(dir, mock, "single");
  });
  afterAll(async () => {
    await replica?.gateway.close();
    await mock?.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    replica.outcomes.length = 0;
  });

  for (const [index, phase] of failurePhases(() => [replica]).entries()) {
    it(`${phase.name}: one outcome, the slot given back, the next request admitted`, async () => {
      const status = await phase.run(index);
      const outcome = await until(() => replica.outcomes[0]);
      expect(outcome.status).toBe(status);
      expect(await until(async () => ((await slotsInUse(replica)) === 0 ? true : undefined))).toBe(true);
      // With `concurrent: 1`, a slot kept by the failed request would refuse this one with 429.
      const next = await post(replica, "/v1/chat/completions", chatBody("openai::v1::text"));
      expect(next.status).toBe(200);
      await next.text();
      await until(() => replica.outcomes.length >= 2 || undefined);
      await sleep(50);
      expect(replica.outcomes).toHaveLength(2);
      expect(replica.outcomes[1]).toMatchObject({ status: 200, modelRef: "openai::v1::text" });
    });
  }

  it("an answered request's outcome has its times in order, where it went, and its cost", async () => {
    const response = await post(replica, "/v1/chat/completions", chatBody("openai::v1::text"));
    expect(response.status).toBe(200);
    await response.text();
    const outcome = await until(() => replica.outcomes[0]);
    const times = [
      outcome.upstreamSentMs,
      outcome.upstreamFirstByteMs,
      outcome.upstreamDoneMs,
      outcome.clientFirstByteMs,
      outcome.durationMs,
    ];
    expect(times.every((time) => typeof time === "number")).toBe(true);
    expect([...(times as number[])].sort((a, b) => a - b)).toEqual(times);
    expect(outcome.startedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(outcome.endpointUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/openai\/v1\/chat\/completions$/);
    const usage = outcome.usage!;
    expect(outcome.costUsd).toBeCloseTo((usage.inputTokens * 3 + usage.outputTokens * 15) / 1e6, 12);
  });

  it("refusals have outcomes too: 401, 400, 404 and 403 each reach the sink once", async () => {
    expect(
      (await post(replica, "/v1/chat/completions", chatBody("openai::v1::text"), { token: "tg_nope" }))
        .status,
    ).toBe(401);
    expect((await post(replica, "/v1/chat/completions", "{not json")).status).toBe(400);
    expect((await post(replica, "/v1/chat/completions", chatBody("openai::v1::nope"))).status).toBe(404);
    expect(
      (
        await post(replica, "/v1/messages", chatBody("claude::2023-06-01::claude-text"), {
          token: narrowToken,
        })
      ).status,
    ).toBe(403);
    await until(() => replica.outcomes.length >= 4 || undefined);
    expect(replica.outcomes.map((outcome) => [outcome.status, outcome.errorCode])).toEqual([
      [401, "unauthenticated"],
      [400, "invalid_request"],
      [404, "model_not_found"],
      [403, "model_not_allowed"],
    ]);
    expect(replica.outcomes[3]).toMatchObject({
      actorId: "narrow",
      modelRef: "claude::2023-06-01::claude-text",
    });
  });

  it("count_tokens is authorized like messages: a model outside allowedModels is 403 and never reaches the upstream", async () => {
    const before = mock.requests.length;
    const response = await post(
      replica,
      "/v1/messages/count_tokens",
      chatBody("claude::2023-06-01::claude-text"),
      {
        token: narrowToken,
        headers: { "anthropic-version": "2023-06-01" },
      },
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("permission_error");
    expect(mock.requests.length).toBe(before);
  });

  it("X-Tollgate-Feature does not move a request that names its model out of its route's limits", async () => {
    // narrow may make 2 chat requests an hour; naming the model, the header cannot make them fastChat ones.
    for (const feature of ["chat", "fastChat"]) {
      const ok = await post(replica, "/v1/chat/completions", chatBody("openai::v1::text"), {
        token: narrowToken,
        headers: { "x-tollgate-feature": feature },
      });
      expect(ok.status).toBe(200);
      await ok.text();
    }
    for (const feature of ["fastChat", "codeCompletion", "chat"]) {
      const refused = await post(replica, "/v1/chat/completions", chatBody("openai::v1::text"), {
        token: narrowToken,
        headers: { "x-tollgate-feature": feature },
      });
      expect(refused.status).toBe(429);
      await refused.text();
    }
    // Without a model the header still picks the feature (its default model and its limits).
    const picked = await post(
      replica,
      "/v1/chat/completions",
      JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
      {
        token: narrowToken,
        headers: { "x-tollgate-feature": "fastChat" },
      },
    );
    expect(picked.status).toBe(200);
    await picked.text();
    await until(() => replica.outcomes.at(-1)?.feature === "fastChat" || undefined);
  });
});

describe("one end for every request: limits in Redis, two replicas", () => {
  let dir: string;
  let mock: MockUpstream;
  let replicas: Replica[] = [];
  const keyPrefix = `tollgate-test:${randomBytes(6).toString("hex")}:`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-request-end-redis-"));
    mock = await startMockUpstream();
    scriptFailures(mock);
    const redis = { url: "redis://127.0.0.1:6379", keyPrefix };
    replicas = [await startReplica(dir, mock, "a", redis), await startReplica(dir, mock, "b", redis)];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.gateway.close();
    await mock?.close();
    const client = new Redis("redis://127.0.0.1:6379");
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it("no sequence of aborts, resets and timeouts across both replicas leaves a slot held", async () => {
    const phases = failurePhases(() => replicas);
    for (const [index, phase] of phases.entries()) {
      await phase.run(index);
      // Both replicas agree that nothing is held once each request has ended.
      for (const replica of replicas) {
        expect(await until(async () => ((await slotsInUse(replica)) === 0 ? true : undefined))).toBe(true);
      }
    }
    const ended = replicas.flatMap((replica) => replica.outcomes);
    expect(ended).toHaveLength(phases.length);
    expect(new Set(ended.map((outcome) => outcome.requestId)).size).toBe(phases.length);
    // The lease keepers renew nothing: a second later the slots are still free, and new requests pass on both.
    await sleep(1000);
    for (const replica of replicas) expect(await slotsInUse(replica)).toBe(0);
    for (const replica of replicas) {
      // A slot freed on the other replica reaches Redis within 5 ms (deferred settlements, src/limits/README.md).
      await until(async () => ((await slotsInUse(replica)) === 0 ? true : undefined));
      const next = await post(replica, "/v1/chat/completions", chatBody("openai::v1::text"));
      expect(next.status, await next.clone().text()).toBe(200);
      await next.text();
    }
  });
});

describe("a request in flight when the gateway closes", () => {
  it("gets its answer, with connection: close, and the close does not wait for the idle connection", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tollgate-request-end-close-"));
    const mock = await startMockUpstream();
    scriptFailures(mock);
    const replica = await startReplica(dir, mock, "closing");
    try {
      const pending = post(replica, "/v1/chat/completions", chatBody("openai::v1::slow-answer"));
      await sleep(50);
      const started = performance.now();
      const closing = replica.gateway.close();
      const response = await pending;
      expect(response.status).toBe(200);
      expect(response.headers.get("connection")).toBe("close");
      expect(((await response.json()) as { id: string }).id).toBe("chatcmpl-slow");
      await closing;
      // Without connection: close the finished keep-alive connection held the close until shutdownTimeout (30 s).
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(replica.outcomes.map((outcome) => outcome.status)).toEqual([200]);
    } finally {
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
