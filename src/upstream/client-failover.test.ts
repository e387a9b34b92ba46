import { afterEach, describe, expect, it } from "vitest";
import {
  json,
  type MockProvider,
  refusedUrl,
  rejection,
  startMockProvider,
} from "../../test/upstream/mock-provider.js";
import { createUpstreamClient } from "./client.js";
import type { UpstreamClient } from "./types.js";
import type { UpstreamError } from "./upstream-error.js";

let client: UpstreamClient | undefined;
const mocks: MockProvider[] = [];

async function provider(handler: Parameters<typeof startMockProvider>[0]): Promise<MockProvider> {
  const mock = await startMockProvider(handler);
  mocks.push(mock);
  return mock;
}

const ok = () => provider((_request, response) => json(response, 200, { ok: true }));
const failing = (status: number, headers: Record<string, string> = {}) =>
  provider((_request, response) =>
    json(response, status, { error: { message: `failed ${status}` } }, headers),
  );

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
});

describe("upstream client: failover before the first byte", () => {
  it("fails over on connection refused", async () => {
    const dead = await refusedUrl();
    const good = await ok();
    client = createUpstreamClient();
    const response = await client.send({
      providerName: "vllm",
      endpoints: [{ url: dead }, { url: good.url }],
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(response.endpoint).toBe(good.url);
    expect(response.attempts).toEqual([
      { endpoint: dead, error: "unreachable: ECONNREFUSED", ms: expect.any(Number) },
      { endpoint: good.url, status: 200, ms: expect.any(Number) },
    ]);
    await response.json();
  });

  it.each([503, 500, 529, 429])("fails over on %i", async (status) => {
    const bad = await failing(status);
    const good = await ok();
    client = createUpstreamClient();
    const response = await client.send({
      providerName: "vllm",
      endpoints: [{ url: bad.url }, { url: good.url }],
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(bad.requests).toBe(1);
    expect(response.attempts.map((attempt) => attempt.status)).toEqual([status, 200]);
    expect(response.attempts[0]!.detail).toBe(`failed ${status}`);
  });

  it("does not fail over on a caller-fault 4xx", async () => {
    const bad = await failing(400);
    const good = await ok();
    client = createUpstreamClient();
    const error = (await rejection(
      client.send({ providerName: "vllm", endpoints: [{ url: bad.url }, { url: good.url }], body: "{}" }),
    )) as UpstreamError;
    expect(error.status).toBe(400);
    expect(error.message).toBe("vllm: failed 400");
    expect(good.requests).toBe(0);
  });

  it("does not fail over once the response has started: a mid-stream reset is an error on the body", async () => {
    const breaking = await provider((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: partial\n\n", () => setTimeout(() => response.socket?.destroy(), 20));
    });
    const good = await ok();
    client = createUpstreamClient();
    const response = await client.send({
      providerName: "vllm",
      endpoints: [{ url: breaking.url }, { url: good.url }],
      body: "{}",
    });
    const chunks: string[] = [];
    const error = (await rejection(
      (async () => {
        for await (const chunk of response.body) chunks.push(chunk.toString());
      })(),
    )) as UpstreamError;
    expect(chunks).toEqual(["data: partial\n\n"]);
    expect(error.code).toBe("upstream_error");
    expect(error.message).toMatch(/broke off/);
    expect(good.requests).toBe(0);
  });

  it("passes the last endpoint's 429 with its Retry-After when every endpoint is rate-limited", async () => {
    const first = await failing(429, { "retry-after": "3" });
    const second = await failing(429, { "retry-after": "11" });
    client = createUpstreamClient();
    const error = (await rejection(
      client.send({
        providerName: "openai",
        endpoints: [{ url: first.url }, { url: second.url }],
        body: "{}",
      }),
    )) as UpstreamError;
    expect(error.status).toBe(429);
    expect(error.code).toBe("upstream_rate_limited");
    expect(error.retryAfterSeconds).toBe(11);
    expect(error.attempts.map((attempt) => attempt.status)).toEqual([429, 429]);
  });

  it("prefers an upstream answer over a connection failure when all fail", async () => {
    const overloaded = await failing(503);
    const dead = await refusedUrl();
    client = createUpstreamClient();
    const error = (await rejection(
      client.send({
        providerName: "openai",
        endpoints: [{ url: overloaded.url }, { url: dead }],
        body: "{}",
      }),
    )) as UpstreamError;
    expect(error.code).toBe("upstream_overloaded");
    expect(error.message).toMatch(/HTTP 503/);
  });

  it("is 503 when no endpoint can be reached, 502 for a single unreachable endpoint", async () => {
    client = createUpstreamClient();
    const all = (await rejection(
      client.send({
        providerName: "vllm",
        endpoints: [{ url: await refusedUrl() }, { url: await refusedUrl() }],
      }),
    )) as UpstreamError;
    expect(all.status).toBe(503);
    expect(all.message).toBe("vllm is unavailable: none of its 2 endpoints could be reached");
    expect(all.attempts).toHaveLength(2);
    const one = (await rejection(
      client.send({ providerName: "vllm", url: await refusedUrl() }),
    )) as UpstreamError;
    expect(one.status).toBe(502);
    expect(one.code).toBe("upstream_error");
    expect(one.message).toBe("could not connect to vllm");
    expect(one.message).not.toMatch(/127\.0\.0\.1/);
  });

  it("cools a failed endpoint down: the next requests skip it", async () => {
    const dead = await refusedUrl();
    const good = await ok();
    client = createUpstreamClient({ cooldownMs: 60_000 });
    const endpoints = [{ url: dead }, { url: good.url }];
    const first = await client.send({ providerName: "vllm", endpoints, body: "{}" });
    expect(first.attempts).toHaveLength(2);
    await first.json();
    for (let n = 0; n < 4; n++) {
      const next = await client.send({ providerName: "vllm", endpoints, body: "{}" });
      expect(next.attempts).toEqual([{ endpoint: good.url, status: 200, ms: expect.any(Number) }]);
      await next.json();
    }
  });

  it("still tries cooling endpoints when all of them are cooling", async () => {
    let healthy = false;
    const flaky = await provider((_request, response) =>
      healthy ? json(response, 200, {}) : json(response, 503, { error: { message: "down" } }),
    );
    client = createUpstreamClient({ cooldownMs: 60_000 });
    const request = { providerName: "vllm", endpoints: [{ url: flaky.url }], body: "{}" };
    expect(((await rejection(client.send(request))) as UpstreamError).status).toBe(503);
    healthy = true;
    expect((await client.send(request)).status).toBe(200);
  });

  it("spreads load over healthy endpoints", async () => {
    const a = await ok();
    const b = await ok();
    client = createUpstreamClient();
    for (let n = 0; n < 6; n++) {
      await (
        await client.send({ providerName: "vllm", endpoints: [{ url: a.url }, { url: b.url }], body: "{}" })
      ).json();
    }
    expect([a.requests, b.requests]).toEqual([3, 3]);
  });

  it("sends to the endpoint with fewer requests in flight", async () => {
    const busy = await provider((_request, response) => {
      response.writeHead(200);
      response.write("streaming…"); // held open
    });
    const idle = await ok();
    client = createUpstreamClient();
    const endpoints = [{ url: busy.url }, { url: idle.url }];
    const held = await client.send({ providerName: "vllm", endpoints, body: "{}" });
    expect(held.endpoint).toBe(busy.url);
    for (let n = 0; n < 3; n++) {
      const next = await client.send({ providerName: "vllm", endpoints, body: "{}" });
      expect(next.endpoint).toBe(idle.url);
      await next.json();
    }
    held.cancel();
  });

  it("retries once on the same endpoint when the connection is closed before any answer", async () => {
    const mock = await provider((request, response) => {
      if (mock.requests === 1) request.socket.destroy();
      else json(response, 200, { ok: true });
    });
    client = createUpstreamClient();
    const response = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    expect(response.status).toBe(200);
    expect(response.attempts.map((attempt) => attempt.error ?? attempt.status)).toEqual([
      "connection_lost: UND_ERR_SOCKET",
      200,
    ]);
    expect(mock.requests).toBe(2);
  });
});
