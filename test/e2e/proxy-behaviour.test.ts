/**
 * Upstream behaviour through the whole gateway, seen by the official SDKs: failover, timeouts, client
 * disconnects, mid-stream failures and the error mapping (DESIGN §2, §5, §8). The gateway logs at
 * `trace` into memory; the last test checks that no key and no gateway token reached a log line or an
 * error body a client received.
 */
import { performance } from "node:perf_hooks";
import type Anthropic from "@anthropic-ai/sdk";
import { APIError as AnthropicAPIError } from "@anthropic-ai/sdk";
import type OpenAI from "openai";
import { APIError as OpenAIAPIError } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFixtureJson } from "../fixtures-helpers/fixtures.js";
import { type ReceivedRequest, sendJson, sleep, streamRecording } from "../mock-upstream/mock-upstream.js";
import { expectedFromBody, expectedFromStream, recordingFor } from "../mock-upstream/recordings.js";
import { type Harness, leakedSecrets, outcomes, providerKeys, startHarness } from "./gateway-harness.js";
import { anthropicParams, callAnthropic, callOpenAI, openaiParams } from "./proxy-sdk-calls.js";

let h: Harness;
/** Everything a client was told about a failure: SDK messages, error bodies, headers. */
const clientErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.mock.reset());

type Client = "openai" | "anthropic";
const clients: Client[] = ["openai", "anthropic"];
// biome-ignore lint/suspicious/noExplicitAny: SDK errors of either client.
type SdkError = any;

/** Runs one chat call with either SDK. */
function chat(client: Client, model: string, stream: boolean, signal?: AbortSignal) {
  if (client === "openai") {
    return callOpenAI(h.openai, openaiParams(model, "text"), stream, {}).then((result) => ({
      text: result.text,
    }));
  }
  void signal;
  return callAnthropic(h.anthropic, anthropicParams(model, "text"), stream).then((result) => ({
    text: result.text,
  }));
}

/** The SDK error a call fails with; its visible parts are kept for the secrets check. */
async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    const sdk = error as SdkError;
    clientErrors.push(
      String(sdk?.message),
      JSON.stringify(sdk?.error ?? null),
      JSON.stringify(sdk?.headers ? Object.fromEntries(sdk.headers) : null),
    );
    return error;
  }
  throw new Error("expected the call to fail");
}

function isSdkError(client: Client, error: unknown): boolean {
  return client === "openai" ? error instanceof OpenAIAPIError : error instanceof AnthropicAPIError;
}

/** The error body's code (OpenAI) or type (Anthropic). */
function errorKind(client: Client, error: SdkError): string {
  return client === "openai" ? error.error?.code : error.error?.error?.type;
}

function errorMessage(client: Client, error: SdkError): string {
  return client === "openai" ? error.error?.message : error.error?.error?.message;
}

async function until<T>(read: () => T | undefined, timeoutMs = 2000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await sleep(2);
  }
}

const openaiText = expectedFromBody("openai", recordingFor("compat", "text").body).text;

describe("failover across openaicompatible endpoints", () => {
  // The endpoint picker rotates the first endpoint between requests, and one that failed cools down:
  // of two sequential requests exactly one tries endpoint A first, whatever the rotation was.
  it.each(["503", "429"])("a first endpoint answering %s is failed over to the second", async (status) => {
    h.mock.script(`/compat-${status}-a/`, (_request, response) =>
      sendJson(response, Number(status), { error: { message: "busy" } }, { "retry-after": "1" }),
    );
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await chat("openai", `failover-${status}::v1::text`, false)).text).toBe(openaiText);
    }
    expect(h.mock.received(`/compat-${status}-a/`)).toHaveLength(1);
    expect(h.mock.received(`/compat-${status}-b/`)).toHaveLength(2);
  });

  it("a refused first endpoint is failed over to the second, streamed or not", async () => {
    expect((await chat("openai", "failover-refused::v1::text", false)).text).toBe(openaiText);
    expect((await chat("anthropic", "failover-refused::v1::text", true)).text).toBe(
      expectedFromStream(recordingFor("compat", "text")).text,
    );
    expect(h.mock.received("/compat-refused-b/")).toHaveLength(2);
  });

  it.each(clients)(
    "no failover after the first byte: a broken stream ends with an error (%s client)",
    async (client) => {
      const broken = (_request: ReceivedRequest, response: Parameters<typeof streamRecording>[0]) =>
        streamRecording(response, recordingFor("compat", "text"), { stopAfter: 3, after: "destroy" });
      h.mock.script("/compat-broken-a/", broken);
      h.mock.script("/compat-broken-b/", broken);
      const error = await failure(chat(client, "failover-broken::v1::text", true));
      expect(isSdkError(client, error)).toBe(true);
      expect(h.mock.received("/compat-broken-").length).toBe(1);
    },
  );
});

describe("timeouts (model timeouts: firstByte 500ms, idle 500ms)", () => {
  const slowModels = ["compat::v1::slow", "anthropic::v1::slow"];
  const cases = clients.flatMap((client) =>
    slowModels.flatMap((model) => [false, true].map((stream) => ({ client, model, stream }))),
  );

  it.each(cases)(
    "no first byte → 504 in the client's dialect ($client → $model, stream=$stream)",
    async ({ client, model, stream }) => {
      h.mock.script(
        (request) => request.body?.model === "slow",
        () => {
          // Never answers: the gateway's time-to-first-byte timeout must fire.
        },
      );
      const started = performance.now();
      const error = await failure(chat(client, model, stream));
      const elapsed = performance.now() - started;
      expect(isSdkError(client, error)).toBe(true);
      // A stream that fails before its first byte gets an HTTP status, not 200 and an error event.
      expect(error.status).toBe(504);
      expect(errorKind(client, error)).toBe(client === "openai" ? "upstream_timeout" : "timeout_error");
      expect(errorMessage(client, error)).toMatch(/time-to-first-byte/);
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(3000);
      // The gateway gave up on the upstream request too.
      await until(() => h.mock.last().abortedAt);
    },
  );

  it.each(cases.filter((entry) => entry.stream))(
    "idle after the first bytes → the stream ends with an error event ($client → $model)",
    async ({ client, model }) => {
      const flavour = model.startsWith("anthropic") ? "anthropic" : "compat";
      h.mock.script(
        (request) => request.body?.model === "slow",
        (_request, response) =>
          streamRecording(response, recordingFor(flavour, "text"), { stopAfter: 3, after: "hang" }),
      );
      const started = performance.now();
      const error = await failure(chat(client, model, true));
      const elapsed = performance.now() - started;
      expect(isSdkError(client, error)).toBe(true);
      // Mid-stream: the HTTP status was already 200; the error event carries the failure.
      expect(error.status).toBeUndefined();
      if (client === "openai") {
        expect(error.error).toMatchObject({ code: "upstream_timeout" });
        expect(error.error.message).toMatch(/idle timeout/);
      } else {
        expect(error.error).toMatchObject({ type: "error", error: { type: "timeout_error" } });
        expect(error.error.error.message).toMatch(/idle timeout/);
      }
      expect(elapsed).toBeLessThan(3000);
      await until(() => h.mock.last().abortedAt);
      expect(await until(() => outcomes(h.logs).at(-1)?.status === 504 || undefined)).toBe(true);
    },
  );

  it.each(clients)("idle before the body of a non-stream answer → 504 (%s client)", async (client) => {
    h.mock.script(
      (request) => request.body?.model === "slow",
      (_request, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write('{"id":');
      },
    );
    const error = await failure(chat(client, "compat::v1::slow", false));
    expect(error.status).toBe(504);
    expect(errorMessage(client, error)).toMatch(/idle timeout/);
  });
});

describe("client disconnect aborts the upstream request within 100 ms", () => {
  const cases = clients.flatMap((client) =>
    ["compat::v1::text", "anthropic::v1::text"].map((model) => ({ client, model })),
  );

  it.each(cases)("stream: $client client → $model", async ({ client, model }) => {
    const flavour = model.startsWith("anthropic") ? "anthropic" : "compat";
    h.mock.script(`/${flavour}/`, (_request, response) =>
      streamRecording(response, recordingFor(flavour, "text"), { stopAfter: 3, after: "hang" }),
    );
    const controller = new AbortController();
    let abortedAt = 0;
    if (client === "openai") {
      const params: OpenAI.ChatCompletionCreateParamsStreaming = {
        ...openaiParams(model, "text"),
        stream: true,
      };
      const stream = await h.openai.chat.completions.create(params, { signal: controller.signal });
      for await (const _chunk of stream) {
        abortedAt = performance.now();
        controller.abort();
        break;
      }
    } else {
      const params: Anthropic.MessageCreateParamsStreaming = {
        ...anthropicParams(model, "text"),
        stream: true,
      };
      const stream = await h.anthropic.messages.create(params, { signal: controller.signal });
      for await (const _event of stream) {
        abortedAt = performance.now();
        controller.abort();
        break;
      }
    }
    expect(abortedAt).toBeGreaterThan(0);
    const upstream = h.mock.last(`/${flavour}/`);
    const upstreamClosed = await until(() => upstream.abortedAt, 1000);
    expect(upstreamClosed - abortedAt).toBeLessThan(100);
    // DESIGN §8: a client that disconnected is recorded with status 499.
    expect(await until(() => outcomes(h.logs).at(-1)?.status === 499 || undefined)).toBe(true);
  });

  it.each(clients)("before the first byte: %s client", async (client) => {
    h.mock.script("/compat/", () => {
      // Never answers; only the client's abort ends this request.
    });
    const controller = new AbortController();
    const call =
      client === "openai"
        ? h.openai.chat.completions.create(openaiParams("compat::v1::text", "text"), {
            signal: controller.signal,
          })
        : h.anthropic.messages.create(anthropicParams("compat::v1::text", "text"), {
            signal: controller.signal,
          });
    const upstream = await until(() => h.mock.received("/compat/")[0]);
    const abortedAt = performance.now();
    controller.abort();
    await expect(call).rejects.toThrow();
    const upstreamClosed = await until(() => upstream.abortedAt, 1000);
    expect(upstreamClosed - abortedAt).toBeLessThan(100);
  });
});

describe("mid-stream upstream failure", () => {
  const cases = clients.flatMap((client) =>
    ["compat::v1::text", "anthropic::v1::text"].map((model) => ({ client, model })),
  );

  it.each(cases)(
    "a broken connection ends the stream with an error ($client client → $model)",
    async ({ client, model }) => {
      const flavour = model.startsWith("anthropic") ? "anthropic" : "compat";
      h.mock.script(`/${flavour}/`, (_request, response) =>
        streamRecording(response, recordingFor(flavour, "text"), { stopAfter: 4, after: "destroy" }),
      );
      const error = await failure(chat(client, model, true));
      expect(isSdkError(client, error)).toBe(true);
      expect(errorKind(client, error === undefined ? {} : { error: error.error })).toBe(
        client === "openai" ? "upstream_error" : "api_error",
      );
      expect(errorMessage(client, { error: error.error })).toMatch(/broke off/);
      expect(await until(() => outcomes(h.logs).at(-1)?.status === 502 || undefined)).toBe(true);
    },
  );

  it.each(clients)(
    "an Anthropic `event: error` mid-stream reaches the %s client as an error",
    async (client) => {
      h.mock.script("/anthropic/", async (_request, response) => {
        await streamRecording(response, recordingFor("anthropic", "text"), { stopAfter: 4, after: "hang" });
        response.end(
          'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
        );
      });
      const error = await failure(chat(client, "anthropic::v1::text", true));
      expect(isSdkError(client, error)).toBe(true);
      expect(errorMessage(client, { error: error.error })).toMatch(/Overloaded/);
    },
  );
});

describe("error mapping (upstream status → client status)", () => {
  const openaiBadRequest = readFixtureJson(
    "vercel-ai/openai/reasoning-model-legacy-parameter-error.json",
  ) as {
    error: { message: string };
  };
  const anthropicError = (type: string, message: string) => ({ type: "error", error: { type, message } });
  const table = [
    { upstream: 400, status: 400, openai: "invalid_request", anthropic: "invalid_request_error" },
    { upstream: 401, status: 502, openai: "upstream_auth_failed", anthropic: "api_error" },
    { upstream: 403, status: 502, openai: "upstream_auth_failed", anthropic: "api_error" },
    { upstream: 429, status: 429, openai: "upstream_rate_limited", anthropic: "rate_limit_error" },
    { upstream: 500, status: 502, openai: "upstream_error", anthropic: "api_error" },
    { upstream: 503, status: 503, openai: "upstream_overloaded", anthropic: "overloaded_error" },
    { upstream: 529, status: 503, openai: "upstream_overloaded", anthropic: "overloaded_error" },
  ];
  const cases = table.flatMap((row) =>
    clients.flatMap((client) =>
      (["compat", "anthropic"] as const).flatMap((provider) =>
        [false, true].map((stream) => ({ ...row, client, provider, stream })),
      ),
    ),
  );

  it.each(cases)("upstream $upstream → $status ($client client → $provider, stream=$stream)", async (row) => {
    const { client, provider, stream } = row;
    const key = provider === "compat" ? providerKeys.compat : providerKeys.anthropic;
    const message =
      row.upstream === 400
        ? provider === "compat"
          ? openaiBadRequest.error.message
          : "max_tokens: must be at most 64000"
        : // Auth failures echo the key, as OpenAI's "Incorrect API key provided" does.
          `request failed for key ${key}`;
    h.mock.script(`/${provider}/`, (_request, response) =>
      sendJson(
        response,
        row.upstream,
        provider === "compat" && row.upstream === 400
          ? openaiBadRequest
          : provider === "compat"
            ? { error: { message, type: "error", code: null, param: null } }
            : anthropicError("invalid_request_error", message),
        row.upstream === 429 || row.upstream === 529 ? { "retry-after": "7" } : {},
      ),
    );
    const error = await failure(chat(client, `${provider}::v1::text`, stream));
    expect(isSdkError(client, error)).toBe(true);
    // Streams fail before their first byte: an HTTP status, not 200 and an error event.
    expect(error.status).toBe(row.status);
    expect(errorKind(client, error)).toBe(client === "openai" ? row.openai : row.anthropic);
    const text = errorMessage(client, error);
    if (row.upstream === 400) expect(text).toBe(`${provider}: ${message}`);
    if (row.upstream === 401 || row.upstream === 403) {
      expect(text).toContain(provider);
      expect(text).toContain(`HTTP ${row.upstream}`);
    }
    expect(text).not.toContain(key);
    if (row.upstream === 429 || row.upstream === 529) expect(error.headers.get("retry-after")).toBe("7");
  });
});

describe("secrets", () => {
  it("no provider key and no gateway token in any log line or client-visible error of this suite", () => {
    expect(h.logs.length).toBeGreaterThan(100);
    expect(clientErrors.length).toBeGreaterThan(50);
    const leaks = [...h.logs, ...clientErrors].flatMap((line) =>
      leakedSecrets(line).map((secret) => `${secret} in ${line.slice(0, 300)}`),
    );
    expect(leaks).toEqual([]);
  });
});
