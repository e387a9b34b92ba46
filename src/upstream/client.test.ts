import { afterEach, describe, expect, it } from "vitest";
import {
  json,
  type MockProvider,
  rejection,
  sleep,
  startMockProvider,
} from "../../test/upstream/mock-provider.js";
import { createUpstreamClient } from "./client.js";
import { readServerSentEvents } from "./server-sent-events.js";
import type { UpstreamClient } from "./types.js";
import { UpstreamError } from "./upstream-error.js";

let client: UpstreamClient | undefined;
const mocks: MockProvider[] = [];

async function provider(handler: Parameters<typeof startMockProvider>[0]): Promise<MockProvider> {
  const mock = await startMockProvider(handler);
  mocks.push(mock);
  return mock;
}

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
});

describe("upstream client: success", () => {
  it("sends method, headers and body; answers JSON; reuses the keep-alive connection", async () => {
    const mock = await provider((request, response, body) =>
      json(response, 200, {
        method: request.method,
        auth: request.headers.authorization,
        extra: request.headers["x-extra"],
        body,
      }),
    );
    client = createUpstreamClient();
    for (const n of [1, 2, 3, 4, 5]) {
      const response = await client.send({
        providerName: "openai",
        url: mock.url,
        headers: { authorization: "Bearer k", "content-type": "application/json" },
        body: `{"n":${n}}`,
      });
      expect(response.status).toBe(200);
      expect(response.endpoint).toBe(mock.url);
      expect(response.attempts).toEqual([{ endpoint: mock.url, status: 200, ms: expect.any(Number) }]);
      expect(await response.json()).toEqual({ method: "POST", auth: "Bearer k", body: `{"n":${n}}` });
    }
    // undici resolves the body's end a tick before the connection is free again, so a request sent
    // at once may open a second connection; after that they are reused.
    expect(mock.connections).toBeLessThanOrEqual(2);
  });

  it("lets an endpoint's headers override the request's", async () => {
    const mock = await provider((request, response) =>
      json(response, 200, { key: request.headers["x-api-key"] }),
    );
    client = createUpstreamClient();
    const response = await client.send({
      providerName: "vllm",
      endpoints: [{ url: mock.url, headers: { "x-api-key": "endpoint-key" } }],
      headers: { "x-api-key": "shared-key" },
      body: Buffer.from("{}"),
    });
    expect(await response.json()).toEqual({ key: "endpoint-key" });
  });

  it("relays a stream chunk by chunk: each chunk arrives before the upstream sends the next", async () => {
    const sent = ["data: one\n\n", "data: two\n\n", "data: three\n\n"];
    let acknowledge: () => void = () => {};
    let ended = false;
    const mock = await provider(async (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      for (const chunk of sent) {
        const acknowledged = new Promise<void>((resolve) => {
          acknowledge = resolve;
        });
        response.write(chunk);
        await acknowledged; // the next chunk is only written once the client has seen this one
      }
      ended = true;
      response.end();
    });
    client = createUpstreamClient();
    const response = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    const received: string[] = [];
    for await (const chunk of response.body) {
      received.push(chunk.toString());
      expect(ended).toBe(false);
      acknowledge();
    }
    expect(received).toEqual(sent);
    expect(ended).toBe(true);
  });

  it("applies backpressure: an upstream faster than its reader is held back, and every byte still arrives in order", async () => {
    const chunk = 16 * 1024;
    const chunks = 256; // 4 MiB
    let writtenBeforeReading = 0;
    let reading = false;
    const mock = await provider(async (_request, response) => {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      for (let index = 0; index < chunks; index++) {
        const ok = response.write(Buffer.alloc(chunk, index % 251));
        if (!reading) writtenBeforeReading += chunk;
        if (!ok) await new Promise((resolve) => response.once("drain", resolve));
      }
      response.end();
    });
    client = createUpstreamClient();
    const response = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    await sleep(300);
    reading = true;
    // Held back: the gateway keeps 64 KiB unread, the sockets' buffers the rest of what was written.
    expect(writtenBeforeReading).toBeLessThan(chunks * chunk);
    let received = 0;
    let inOrder = true;
    for await (const part of response.body) {
      for (let offset = 0; offset < part.length; offset += 997) {
        if (part[offset] !== Math.floor((received + offset) / chunk) % 251) inOrder = false;
      }
      received += part.length;
    }
    expect(received).toBe(chunks * chunk);
    expect(inOrder).toBe(true);
  });

  it("reads a body one way, once: a second reader is refused at once instead of waiting for ever", async () => {
    const mock = await provider((_request, response) => {
      response.writeHead(200);
      response.write("a");
      setTimeout(() => response.end("b"), 50);
    });
    client = createUpstreamClient();
    const whole = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    const first = whole.text();
    await expect(whole.text()).rejects.toThrow(/already being read/);
    await expect(first).resolves.toBe("ab");
    const chunks = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    const iterator = chunks.body[Symbol.asyncIterator]();
    const next = iterator.next();
    await expect(chunks.text()).rejects.toThrow(/already being read/);
    expect((await next).value?.toString()).toBe("a");
  });

  it("stops reading an error body at the cap without waiting for the rest", async () => {
    const mock = await provider((_request, response) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.write("e".repeat(1_000)); // exactly the cap, then nothing for longer than the test waits
    });
    client = createUpstreamClient({ maxErrorBodyBytes: 1_000, idleTimeoutMs: 30_000 });
    const started = performance.now();
    const failure = await rejection(client.send({ providerName: "openai", url: mock.url, body: "{}" }));
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("feeds the SSE reader from a real stream", async () => {
    const mock = await provider((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write('event: message_start\ndata: {"a":1}\n\n');
      setTimeout(() => response.end("event: message_stop\ndata: {}\n\n"), 20);
    });
    client = createUpstreamClient();
    const response = await client.send({ providerName: "anthropic", url: mock.url, body: "{}" });
    const events = [];
    for await (const event of readServerSentEvents(response.body)) events.push(event);
    expect(events.map((event) => event.event)).toEqual(["message_start", "message_stop"]);
  });

  it("caps text()/json() with and without content-length", async () => {
    const mock = await provider((request, response) => {
      if (request.url?.includes("chunked")) {
        response.writeHead(200);
        response.write("x".repeat(600));
        response.end("x".repeat(600));
      } else {
        json(response, 200, { pad: "x".repeat(2_000) });
      }
    });
    client = createUpstreamClient({ maxResponseBytes: 1_000 });
    const declared = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    const tooLarge = await rejection(declared.json());
    expect(tooLarge).toBeInstanceOf(UpstreamError);
    expect((tooLarge as UpstreamError).code).toBe("upstream_error");
    const chunked = await client.send({ providerName: "openai", url: `${mock.url}?chunked`, body: "{}" });
    expect(((await rejection(chunked.text())) as UpstreamError).message).toMatch(/larger than 1000 bytes/);
    const fits = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    expect((await fits.text(10_000)).length).toBeGreaterThan(2_000);
  });

  it("reports malformed JSON as an upstream error", async () => {
    const mock = await provider((_request, response) => {
      response.end("{not json");
    });
    client = createUpstreamClient();
    const response = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    const error = (await rejection(response.json())) as UpstreamError;
    expect(error.code).toBe("upstream_error");
    expect(error.message).toBe("openai answered with malformed JSON");
  });

  it("throws the mapped error for a caller-fault 4xx, or returns it when asked", async () => {
    const mock = await provider((_request, response) =>
      json(response, 422, { error: { message: "messages: at least one message is required" } }),
    );
    client = createUpstreamClient();
    const error = (await rejection(
      client.send({ providerName: "mistral", url: mock.url, body: "{}" }),
    )) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBe(422);
    expect(error.message).toBe("mistral: messages: at least one message is required");
    expect(error.attempts).toHaveLength(1);
    const response = await client.send(
      { providerName: "mistral", url: mock.url, body: "{}" },
      { returnErrorResponses: true },
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: { message: "messages: at least one message is required" },
    });
  });

  it("never leaks the request's secrets through errors or attempt details", async () => {
    const secret = "central-key-0123456789";
    const mock = await provider((request, response) => {
      const status = Number(request.url?.split("status=")[1]);
      json(response, status, {
        error: {
          message: `Incorrect API key provided: ${secret}; header was ${request.headers.authorization}`,
        },
      });
    });
    client = createUpstreamClient();
    for (const status of [400, 401, 403, 404, 422, 429, 500, 503, 529]) {
      const error = (await rejection(
        client.send(
          {
            providerName: "openai",
            url: `${mock.url}?status=${status}`,
            headers: { authorization: `Bearer ${secret}` },
          },
          { secrets: [secret] },
        ),
      )) as UpstreamError;
      const everything = JSON.stringify({ message: error.message, attempts: error.attempts });
      expect(everything).not.toContain(secret);
    }
  });

  it("refuses to send after close()", async () => {
    const mock = await provider((_request, response) => json(response, 200, {}));
    client = createUpstreamClient();
    await (await client.send({ providerName: "openai", url: mock.url, body: "{}" })).json();
    await client.close();
    const error = (await rejection(client.send({ providerName: "openai", url: mock.url }))) as UpstreamError;
    expect(error.code).toBe("gateway_unavailable");
  });
});

describe("upstream client: cancellation", () => {
  function socketClosed(mock: MockProvider): Promise<number> {
    return new Promise((resolve) => {
      mock.server.once("request", (request) =>
        request.socket.once("close", () => resolve(performance.now())),
      );
    });
  }

  it("aborts while waiting for headers: the upstream sees the socket close within 100 ms", async () => {
    let received: () => void = () => {};
    const requestArrived = new Promise<void>((resolve) => {
      received = resolve;
    });
    const mock = await provider(() => received()); // never answers
    const closed = socketClosed(mock);
    client = createUpstreamClient();
    const controller = new AbortController();
    const sending = client.send(
      { providerName: "openai", url: mock.url, body: "{}" },
      { signal: controller.signal },
    );
    await requestArrived;
    const abortedAt = performance.now();
    controller.abort();
    const error = (await rejection(sending)) as UpstreamError;
    expect(error.code).toBe("client_closed");
    expect((await closed) - abortedAt).toBeLessThan(100);
  });

  it("aborts mid-stream: the body throws client_closed and the upstream sees the close within 100 ms", async () => {
    const mock = await provider((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: first\n\n"); // then nothing more
    });
    const closed = socketClosed(mock);
    client = createUpstreamClient();
    const controller = new AbortController();
    const response = await client.send(
      { providerName: "openai", url: mock.url, body: "{}" },
      { signal: controller.signal },
    );
    const iterator = response.body[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.toString()).toBe("data: first\n\n");
    const abortedAt = performance.now();
    controller.abort();
    const error = (await rejection(iterator.next())) as UpstreamError;
    expect(error.code).toBe("client_closed");
    expect((await closed) - abortedAt).toBeLessThan(100);
  });

  it("stops at once when the signal is already aborted", async () => {
    const mock = await provider((_request, response) => json(response, 200, {}));
    client = createUpstreamClient();
    const error = (await rejection(
      client.send({ providerName: "openai", url: mock.url }, { signal: AbortSignal.abort() }),
    )) as UpstreamError;
    expect(error.code).toBe("client_closed");
    await sleep(20);
    expect(mock.requests).toBe(0);
  });

  it("releases the connection when the consumer stops reading early", async () => {
    const mock = await provider((_request, response) => {
      response.writeHead(200);
      response.write("a");
    });
    const closed = socketClosed(mock);
    client = createUpstreamClient();
    const response = await client.send({ providerName: "openai", url: mock.url, body: "{}" });
    for await (const _chunk of response.body) break;
    await closed;
  });
});

describe("upstream client: per-attempt signers", () => {
  it("signs each attempt's final request (method, URL with query, body) and sends the signer's headers", async () => {
    const mock = await provider((request, response) =>
      json(response, 200, { signature: request.headers["x-signature"], host: request.headers.host }),
    );
    const seen: string[] = [];
    client = createUpstreamClient();
    const response = await client.send({
      providerName: "bedrock",
      endpoints: [
        {
          url: `${new URL(mock.url).origin}/model/m/invoke?x=1`,
          sign: async ({ method, url, body, headers }) => {
            seen.push(`${method} ${url.pathname}${url.search} ${String(body)} ${headers["content-type"]}`);
            return { "x-signature": "sig-for-this-attempt" };
          },
        },
      ],
      body: '{"a":1}',
    });
    expect(await response.json()).toEqual({
      signature: "sig-for-this-attempt",
      host: new URL(mock.url).host,
    });
    expect(seen).toEqual(['POST /model/m/invoke?x=1 {"a":1} application/json']);
  });

  it("a signer that cannot get credentials is a 503 for the gateway, its message scrubbed of the call's secrets", async () => {
    const mock = await provider((_request, response) => json(response, 200, {}));
    client = createUpstreamClient();
    const error = await client
      .send(
        {
          providerName: "vertex",
          endpoints: [
            {
              url: mock.url,
              sign: async () => {
                throw new Error("token endpoint refused key-abc-123");
              },
            },
          ],
          body: "{}",
        },
        { secrets: ["key-abc-123"] },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(503);
    expect((error as UpstreamError).message).toBe(
      "no credentials for vertex: token endpoint refused [redacted]",
    );
    expect(mock.requests).toBe(0);
  });
});
