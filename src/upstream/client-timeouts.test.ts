import { afterEach, describe, expect, it } from "vitest";
import {
  json,
  type MockProvider,
  rejection,
  sleep,
  startMockProvider,
  startSilentTcpServer,
} from "../../test/upstream/mock-provider.js";
import { createUpstreamClient } from "./client.js";
import type { UpstreamClient } from "./types.js";
import type { UpstreamError } from "./upstream-error.js";

let client: UpstreamClient | undefined;
const cleanups: Array<() => Promise<void>> = [];

async function provider(handler: Parameters<typeof startMockProvider>[0]): Promise<MockProvider> {
  const mock = await startMockProvider(handler);
  cleanups.push(() => mock.close());
  return mock;
}

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

// undici checks its header and body timers on a coarse (~0.5 s) tick, so bounds are generous.
const SLACK_MS = 3_000;

describe("upstream client: timeouts", () => {
  it("connect timeout: a server that accepts TCP but never completes the TLS handshake", async () => {
    // Loopback only: undici's connect timeout covers TCP and TLS, so a silent TCP server behind
    // an https:// URL is a real connect timeout without non-routable addresses.
    const silent = await startSilentTcpServer();
    cleanups.push(() => silent.close());
    client = createUpstreamClient({ connectTimeoutMs: 200 });
    const started = performance.now();
    const error = (await rejection(
      client.send({
        providerName: "anthropic",
        url: `https://127.0.0.1:${silent.port}/v1/messages`,
        body: "{}",
      }),
    )) as UpstreamError;
    expect(performance.now() - started).toBeLessThan(SLACK_MS);
    expect(error.status).toBe(504);
    expect(error.code).toBe("upstream_timeout");
    expect(error.message).toBe("anthropic did not accept a connection within 0.2 s (connect timeout)");
    expect(error.attempts[0]!.error).toBe("connect_timeout: UND_ERR_CONNECT_TIMEOUT");
  });

  it("takes a connect timeout per call (a provider's own), over the client's default", async () => {
    const silent = await startSilentTcpServer();
    cleanups.push(() => silent.close());
    client = createUpstreamClient({ connectTimeoutMs: 60_000 });
    const started = performance.now();
    const error = (await rejection(
      client.send(
        { providerName: "openai", url: `https://127.0.0.1:${silent.port}/v1/chat/completions`, body: "{}" },
        { connectTimeoutMs: 300 },
      ),
    )) as UpstreamError;
    expect(performance.now() - started).toBeLessThan(SLACK_MS);
    expect(error.message).toBe("openai did not accept a connection within 0.3 s (connect timeout)");
  });

  it("fails over on a connect timeout", async () => {
    const silent = await startSilentTcpServer();
    cleanups.push(() => silent.close());
    const good = await provider((_request, response) => json(response, 200, {}));
    client = createUpstreamClient({ connectTimeoutMs: 200 });
    const response = await client.send({
      providerName: "vllm",
      endpoints: [{ url: `https://127.0.0.1:${silent.port}/v1` }, { url: good.url }],
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(response.attempts.map((attempt) => attempt.error ?? attempt.status)).toEqual([
      "connect_timeout: UND_ERR_CONNECT_TIMEOUT",
      200,
    ]);
    await response.json();
  });

  it("time-to-first-byte timeout, set per call, and no failover after it", async () => {
    const mute = await provider(() => {}); // reads the request, never answers
    const good = await provider((_request, response) => json(response, 200, {}));
    client = createUpstreamClient({ firstByteTimeoutMs: 60_000 });
    const started = performance.now();
    const error = (await rejection(
      client.send(
        { providerName: "openai", endpoints: [{ url: mute.url }, { url: good.url }], body: "{}" },
        { firstByteTimeoutMs: 300 },
      ),
    )) as UpstreamError;
    expect(performance.now() - started).toBeLessThan(SLACK_MS);
    expect(error.status).toBe(504);
    expect(error.message).toBe("openai did not answer within 0.3 s (time-to-first-byte timeout)");
    // A first-byte timeout already cost the caller the whole wait: it is not repeated elsewhere.
    expect(good.requests).toBe(0);
  });

  it("idle timeout mid-stream surfaces as an error on the body", async () => {
    const stalling = await provider((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: one\n\n");
      setTimeout(() => response.write("data: two\n\n"), 100); // then silence
    });
    client = createUpstreamClient();
    const response = await client.send(
      { providerName: "gemini", url: stalling.url, body: "{}" },
      { idleTimeoutMs: 400 },
    );
    const chunks: string[] = [];
    const started = performance.now();
    const error = (await rejection(
      (async () => {
        for await (const chunk of response.body) chunks.push(chunk.toString());
      })(),
    )) as UpstreamError;
    expect(performance.now() - started).toBeLessThan(SLACK_MS);
    expect(chunks).toEqual(["data: one\n\n", "data: two\n\n"]);
    expect(error.status).toBe(504);
    expect(error.code).toBe("upstream_timeout");
    expect(error.message).toBe("gemini did not send data for 0.4 s mid-response (idle timeout)");
  });

  it("the idle timer restarts on every chunk: a slow but steady stream completes", async () => {
    const steady = await provider(async (_request, response) => {
      response.writeHead(200);
      for (let n = 0; n < 6; n++) {
        response.write(`${n}`);
        await sleep(200);
      }
      response.end();
    });
    client = createUpstreamClient();
    // 6 × 200 ms is longer than the idle timeout, each gap is shorter.
    const response = await client.send(
      { providerName: "openai", url: steady.url, body: "{}" },
      { idleTimeoutMs: 1_000 },
    );
    expect(await response.text()).toBe("012345");
  });

  it("an abort while nobody reads the body does not crash; the next read says client_closed", async () => {
    const streaming = await provider((_request, response) => {
      response.writeHead(200);
      response.write("a");
    });
    client = createUpstreamClient();
    const controller = new AbortController();
    const response = await client.send(
      { providerName: "openai", url: streaming.url },
      { signal: controller.signal },
    );
    controller.abort();
    await sleep(20);
    const error = (await rejection(response.text())) as UpstreamError;
    expect(error.code).toBe("client_closed");
  });
});
