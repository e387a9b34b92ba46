import { afterEach, describe, expect, it } from "vitest";
import {
  json,
  type MockProvider,
  refusedUrl,
  rejection,
  startMockProvider,
} from "../../test/upstream/mock-provider.js";
import type { CircuitChange } from "./circuit-breaker.js";
import { createUpstreamClient } from "./client.js";
import { unsendableReason } from "./error-mapping.js";
import type { UpstreamClient } from "./types.js";
import type { UpstreamError } from "./upstream-error.js";

let client: UpstreamClient | undefined;
const mocks: MockProvider[] = [];

async function provider(status: number, headers: Record<string, string> = {}): Promise<MockProvider> {
  const mock = await startMockProvider((_request, response) =>
    json(response, status, status < 300 ? { ok: true } : { error: { message: `failed ${status}` } }, headers),
  );
  mocks.push(mock);
  return mock;
}

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
});

function circuitClient(failures = 3, coolDownMs = 30_000) {
  let now = 1_000_000;
  const changes: CircuitChange[] = [];
  client = createUpstreamClient({
    circuitBreaker: () => ({ failures, coolDownMs }),
    onCircuitChange: (change) => changes.push(change),
    clock: () => now,
    // The picker's own short skip of a failed endpoint is not what is tested here.
    cooldownMs: 0,
  });
  return {
    client,
    changes,
    advance(milliseconds: number) {
      now += milliseconds;
    },
  };
}

const send = (upstream: UpstreamClient, urls: string[], model = "m1") =>
  upstream.send({ providerName: "vllm", endpoints: urls.map((url) => ({ url })), body: "{}", model });

describe("upstream client: circuit breakers", () => {
  it("a storm of 500s opens the circuit: the next call is a 503 with Retry-After, without reaching the upstream", async () => {
    const bad = await provider(500);
    const { client, changes } = circuitClient(3, 30_000);
    for (let call = 0; call < 3; call++) {
      expect(((await rejection(send(client, [bad.url]))) as UpstreamError).status).toBe(502);
    }
    const error = (await rejection(send(client, [bad.url]))) as UpstreamError;
    expect(error).toMatchObject({ status: 503, code: "upstream_unavailable", retryAfterSeconds: 30 });
    expect(error.message).toBe(
      "vllm is unavailable: it failed repeatedly and the gateway stopped sending it requests for a while (circuit open)",
    );
    expect(bad.requests).toBe(3);
    expect(changes).toEqual([{ endpoint: bad.url, model: "m1", from: "closed", to: "open", failures: 3 }]);
    expect(client.circuits?.count("open")).toBe(1);
    // Another model on the same endpoint has its own circuit.
    await rejection(send(client, [bad.url], "m2"));
    expect(bad.requests).toBe(4);
  });

  it("connection refused and 529 count too; 429 and 4xx do not", async () => {
    const dead = await refusedUrl();
    const { client } = circuitClient(2);
    await rejection(send(client, [dead]));
    await rejection(send(client, [dead]));
    expect(((await rejection(send(client, [dead]))) as UpstreamError).code).toBe("upstream_unavailable");

    const overloaded = await provider(529);
    await rejection(send(client, [overloaded.url]));
    await rejection(send(client, [overloaded.url]));
    expect(((await rejection(send(client, [overloaded.url]))) as UpstreamError).status).toBe(503);
    expect(overloaded.requests).toBe(2);

    for (const status of [429, 400, 422]) {
      const answer = await provider(status, status === 429 ? { "retry-after": "7" } : {});
      for (let call = 0; call < 4; call++) await rejection(send(client, [answer.url]));
      expect(answer.requests).toBe(4);
    }
    const limited = mocks.at(-3)!;
    const error = (await rejection(send(client, [limited.url]))) as UpstreamError;
    expect(error).toMatchObject({ status: 429, code: "upstream_rate_limited", retryAfterSeconds: 7 });
  });

  it("failover skips an open circuit and goes straight to the next endpoint", async () => {
    const bad = await provider(503);
    const good = await provider(200);
    const { client } = circuitClient(2);
    // Both endpoints are tried while the bad one's circuit is closed…
    for (let call = 0; call < 4; call++) {
      const response = await send(client, [bad.url, good.url]);
      expect(response.status).toBe(200);
      await response.json();
    }
    const before = bad.requests;
    expect(before).toBeGreaterThanOrEqual(2);
    // …and once it opened, only the good one.
    for (let call = 0; call < 4; call++) {
      const response = await send(client, [bad.url, good.url]);
      expect(response.attempts.map((attempt) => attempt.endpoint)).toEqual([good.url]);
      await response.json();
    }
    expect(bad.requests).toBe(before);
  });

  it("half-opens after the cool-down for one probe: a failed probe re-opens, a good one closes", async () => {
    let status = 500;
    const flaky = await startMockProvider((_request, response) => json(response, status, {}));
    mocks.push(flaky);
    const { client, changes, advance } = circuitClient(1, 10_000);
    await rejection(send(client, [flaky.url]));
    expect(((await rejection(send(client, [flaky.url]))) as UpstreamError).retryAfterSeconds).toBe(10);
    advance(4_000);
    expect(((await rejection(send(client, [flaky.url]))) as UpstreamError).retryAfterSeconds).toBe(6);
    advance(6_000);
    // The probe fails: open again for a whole cool-down.
    expect(((await rejection(send(client, [flaky.url]))) as UpstreamError).status).toBe(502);
    expect(((await rejection(send(client, [flaky.url]))) as UpstreamError).retryAfterSeconds).toBe(10);
    advance(10_000);
    status = 200;
    const response = await send(client, [flaky.url]);
    expect(response.status).toBe(200);
    await response.json();
    expect((await send(client, [flaky.url])).status).toBe(200);
    expect(flaky.requests).toBe(4);
    expect(changes.map((change) => `${change.from}→${change.to}`)).toEqual([
      "closed→open",
      "open→half-open",
      "half-open→open",
      "open→half-open",
      "half-open→closed",
    ]);
  });

  it("a request the HTTP client refuses as built (a key ending in a newline) never opens the circuit: its clear 502 stays", async () => {
    const upstream = await provider(200);
    const { client, changes } = circuitClient(2);
    for (let call = 0; call < 6; call++) {
      const error = (await rejection(
        client.send({
          providerName: "openai",
          endpoints: [{ url: upstream.url }],
          headers: { authorization: "Bearer sk-test\n" },
          body: "{}",
          model: "m1",
        }),
      )) as UpstreamError;
      expect(error).toMatchObject({ status: 502, code: "upstream_error" });
      expect(error.message).toMatch(/^the gateway could not build a valid request to openai/);
      // What the lane's log line is made of: undici's reason, kept as the error's cause.
      expect(unsendableReason(error)).toBe("invalid authorization header");
    }
    expect(changes).toEqual([]);
    expect(upstream.requests).toBe(0);
  });

  it("a half-open probe on a stale keep-alive socket is retried on a new connection instead of re-opening the circuit", async () => {
    let status = 500;
    const served = new WeakMap<object, number>();
    let dropped = 0;
    const upstream = await startMockProvider((request, response) => {
      const count = (served.get(request.socket) ?? 0) + 1;
      served.set(request.socket, count);
      // The upstream closed the idle connection just as it was reused: nothing is answered on it.
      if (count > 1) {
        dropped++;
        return void request.socket.destroy();
      }
      json(response, status, {});
    });
    mocks.push(upstream);
    const { client, changes, advance } = circuitClient(1, 10_000);
    // One 500 opens the circuit; its connection stays in the pool.
    expect(((await rejection(send(client, [upstream.url]))) as UpstreamError).status).toBe(502);
    advance(10_000);
    status = 200;
    // undici frees the connection a tick after the body ended: wait for it, so the probe reuses it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The probe goes out on the pooled socket, which the upstream drops; the retry on a new one succeeds.
    const response = await send(client, [upstream.url]);
    expect(response.status).toBe(200);
    await response.json();
    expect(dropped).toBe(1);
    expect(upstream.connections).toBe(2);
    expect(changes.map((change) => `${change.from}→${change.to}`)).toEqual([
      "closed→open",
      "open→half-open",
      "half-open→closed",
    ]);
  });
});
