/**
 * How the google and awsBedrock providers authenticate and address the model, end to end against the cloud
 * mock: Bedrock with a Bedrock API key (bearer, no signature), with the ambient AWS chain (keys in the
 * process environment), with a wrong static secret (the client gets a 502 naming the provider, never the key);
 * a provisioned-throughput ARN as one encoded path segment that still verifies; latency optimisation as
 * InvokeModel's header and Converse's performanceConfig; throttling before and inside a stream; and Vertex
 * OAuth: many requests, one token fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invalidSignatureMessage } from "../mock-upstream/cloud-mock.js";
import { cloudExpected } from "../mock-upstream/cloud-recordings.js";
import {
  ambientKeyId,
  ambientSecret,
  awsKeyId,
  awsWrongSecret,
  bedrockApiKey,
  outcomeFor,
  provisionedArn,
  refs,
  useCloudHarness,
} from "./cloud-harness.js";
import { callAnthropic, callOpenAI, type OpenAIResult } from "./proxy-sdk-calls.js";

// biome-ignore lint/suspicious/noExplicitAny: SDK errors and wire JSON of any shape.
type Loose = any;

const h = useCloudHarness();

const messages = [{ role: "user", content: "Count to twenty." }];
const openaiText = (model: string, stream: boolean) => callOpenAI(h.openai, { model, messages }, stream);
const anthropicText = (model: string, stream: boolean) =>
  callAnthropic(h.anthropic, { model, max_tokens: 1024, messages }, stream);

async function failure(promise: Promise<unknown>): Promise<Loose> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("Bedrock API key (bearer)", () => {
  it.each([
    { ref: refs.bearerInvoke, target: "bedrock-invoke" as const, operation: "invoke" },
    { ref: refs.bearerConverse, target: "bedrock-converse" as const, operation: "converse-stream" },
  ])("$ref: `authorization: Bearer <key>`, no signature", async ({ ref, target, operation }) => {
    const stream = operation.endsWith("stream");
    const expected = cloudExpected(target, "text", stream);
    const result = await openaiText(ref, stream);
    expect(result.text).toBe(expected.text);
    expect(result.usage).toMatchObject({
      prompt_tokens: expected.usage.inputTokens,
      completion_tokens: expected.usage.outputTokens,
    });
    expect((await outcomeFor(h, ref)).usage).toMatchObject(expected.usage);
    const call = h.cloud.lastBedrock();
    expect(call.operation).toBe(operation);
    expect(call.auth).toBe("bearer");
    expect(call.request.headers.authorization).toBe(`Bearer ${bedrockApiKey}`);
    for (const header of ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token"])
      expect(call.request.headers[header]).toBeUndefined();
  });
});

describe("the ambient AWS credential chain", () => {
  const names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] as const;
  let saved: Record<string, string | undefined>;
  beforeAll(() => {
    saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    // The chain reads the environment first (fromEnv) when the provider's signer is first used.
    process.env.AWS_ACCESS_KEY_ID = ambientKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = ambientSecret;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });
  afterAll(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it.each([false, true])(
    "keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY sign (stream=%s)",
    async (stream) => {
      const expected = cloudExpected("bedrock-converse", "text", stream);
      const result = await anthropicText(refs.ambientConverse, stream);
      expect(result.text).toBe(expected.text);
      expect(result.usage.output_tokens).toBe(expected.usage.outputTokens);
      expect((await outcomeFor(h, refs.ambientConverse)).usage).toMatchObject(expected.usage);
      const call = h.cloud.lastBedrock();
      expect(call.auth).toBe("sigv4");
      expect(call.verdict).toEqual({ ok: true, accessKeyId: ambientKeyId });
      expect(call.request.headers["x-amz-security-token"]).toBeUndefined();
    },
  );
});

describe("a wrong static secret", () => {
  it.each([
    { client: "openai", stream: false },
    { client: "openai", stream: true },
    { client: "anthropic", stream: false },
    { client: "anthropic", stream: true },
  ])(
    "Bedrock's 403 InvalidSignatureException → 502 naming the provider ($client, stream=$stream)",
    async ({ client, stream }) => {
      const error = await failure(
        client === "openai" ? openaiText(refs.wrongSecret, stream) : anthropicText(refs.wrongSecret, stream),
      );
      expect(error.status).toBe(502);
      const told = `${String(error.message)}\n${JSON.stringify(error.error ?? null)}`;
      expect(told).toContain("bedrock-wrong");
      expect(told).toMatch(/refused the gateway's credentials/);
      for (const secret of [awsWrongSecret, `${awsKeyId}:${awsWrongSecret}`, invalidSignatureMessage])
        expect(told).not.toContain(secret);
      const outcome = await outcomeFor(h, refs.wrongSecret);
      expect(outcome).toMatchObject({ status: 502, errorCode: "upstream_auth_failed", upstreamSent: true });
      const call = h.cloud.lastBedrock();
      expect(call.auth).toBe("sigv4");
      expect(call.verdict).toEqual({ ok: false, reason: "the signature does not match" });
      expect(h.logs.join("\n")).not.toContain(awsWrongSecret);
    },
  );
});

describe("a provisioned-throughput ARN", () => {
  it.each([false, true])(
    "goes out as one encoded path segment and the signature verifies (stream=%s)",
    async (stream) => {
      const expected = cloudExpected("bedrock-invoke", "text", stream);
      const result = await openaiText(refs.provisioned, stream);
      expect(result.text).toBe(expected.text);
      expect((await outcomeFor(h, refs.provisioned)).usage).toMatchObject(expected.usage);
      const call = h.cloud.lastBedrock();
      const segment = "arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Aprovisioned-model%2F57z3lgkt1cx2";
      expect(call.rawPath).toBe(
        `/bedrock/model/${segment}/${stream ? "invoke-with-response-stream" : "invoke"}`,
      );
      expect(call.modelId).toBe(provisionedArn);
      expect(call.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
    },
  );
});

describe("latency-optimised models", () => {
  it("InvokeModel: the x-amzn-bedrock-performanceconfig-latency header, signed", async () => {
    await openaiText(refs.invokeLatency, false);
    const call = h.cloud.lastBedrock();
    expect(call.operation).toBe("invoke");
    expect(call.request.headers["x-amzn-bedrock-performanceconfig-latency"]).toBe("optimized");
    expect(String(call.request.headers.authorization)).toMatch(
      /SignedHeaders=[^,]*x-amzn-bedrock-performanceconfig-latency/,
    );
    expect(call.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
    expect(call.request.body).not.toHaveProperty("performanceConfig");
  });

  it("Converse: performanceConfig in the body, no header", async () => {
    const expected = cloudExpected("bedrock-converse", "text", true);
    const result = await openaiText(refs.converseLatency, true);
    expect(result.text).toBe(expected.text);
    const call = h.cloud.lastBedrock();
    expect(call.operation).toBe("converse-stream");
    expect(call.request.body.performanceConfig).toEqual({ latency: "optimized" });
    expect(call.request.headers["x-amzn-bedrock-performanceconfig-latency"]).toBeUndefined();
    expect(call.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
  });

  it("a model without it sends neither", async () => {
    await openaiText(refs.invoke, false);
    expect(h.cloud.lastBedrock().request.headers["x-amzn-bedrock-performanceconfig-latency"]).toBeUndefined();
    await openaiText(refs.converse, false);
    expect(h.cloud.lastBedrock().request.body).not.toHaveProperty("performanceConfig");
  });
});

describe("a prompt Gemini blocks", () => {
  it("is the caller's 400 with Gemini's reason, not a 502 for an unexpected body", async () => {
    // Scripts added later win: this one answers the next Gemini call with a blocked prompt (wire-formats §4.3).
    h.cloud.mock.script(
      (request) =>
        request.path.startsWith("/gemini/") && JSON.stringify(request.body).includes("forbidden words"),
      (_request, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
            modelVersion: "gemini-3-pro",
          }),
        );
      },
    );
    const error = await h.openai.chat.completions
      .create({ model: refs.gemini, messages: [{ role: "user", content: "forbidden words" }] })
      .catch((caught: unknown) => caught as { status?: number; message?: string });
    expect(error).toMatchObject({ status: 400 });
    expect(String((error as { message?: string }).message)).toContain("PROHIBITED_CONTENT");
  });
});

describe("an Anthropic client's betas", () => {
  it("reach InvokeModel in the body (anthropic_beta), not as headers Bedrock would ignore and sign", async () => {
    await h.anthropic.messages.create(
      { model: refs.invoke, max_tokens: 256, messages: [{ role: "user", content: "Hello" }] },
      { headers: { "anthropic-beta": "interleaved-thinking-2025-05-14, context-1m-2025-08-07" } },
    );
    const call = h.cloud.lastBedrock();
    expect(call.operation).toBe("invoke");
    expect(call.request.body.anthropic_beta).toEqual([
      "interleaved-thinking-2025-05-14",
      "context-1m-2025-08-07",
    ]);
    expect(call.request.headers["anthropic-beta"]).toBeUndefined();
    expect(call.request.headers["anthropic-version"]).toBeUndefined();
    expect(call.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
  });
});

describe("throttling", () => {
  const cases = (["openai", "anthropic"] as const).flatMap((client) =>
    [
      { api: "invoke", midstream: refs.invokeThrottledMidstream, before: refs.invokeThrottled },
      { api: "converse", midstream: refs.converseThrottledMidstream, before: refs.converseThrottled },
    ].map((entry) => ({ client, ...entry })),
  );

  it.each(cases)(
    "a throttlingException frame mid-stream ends the $client stream with an error, never a success ($api)",
    async ({ client, midstream }) => {
      const error = await failure(
        client === "openai" ? openaiText(midstream, true) : anthropicText(midstream, true),
      );
      // Mid-stream the status was already 200: the error arrives as an event, and the SDK throws on it.
      expect(error.status).toBeUndefined();
      expect(error.error).toBeDefined();
      expect(JSON.stringify(error.error)).not.toContain(awsKeyId);
      const outcome = await outcomeFor(h, midstream);
      expect(outcome.status).toBeGreaterThanOrEqual(400);
      expect(outcome.errorCode).toBeDefined();
      expect(outcome.relayedEvents).toBeGreaterThan(0);
    },
  );

  it.each(cases)(
    "the mid-stream throttlingException reaches the $client client as a rate limit, 429 in the outcome ($api)",
    async ({ client, midstream }) => {
      const error = await failure(
        client === "openai" ? openaiText(midstream, true) : anthropicText(midstream, true),
      );
      // Bedrock answers the same throttling before a stream with 429 (BEDROCK_STREAM_EXCEPTION_STATUS).
      if (client === "openai") expect(error.error).toMatchObject({ code: "upstream_rate_limited" });
      else expect(error.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
      const outcome = await outcomeFor(h, midstream);
      expect(outcome).toMatchObject({ status: 429, errorCode: "upstream_rate_limited" });
    },
  );

  it.each(cases.flatMap((entry) => [false, true].map((stream) => ({ ...entry, stream }))))(
    "Bedrock's 429 ThrottlingException before the answer → 429 with Retry-After ($client, $api, stream=$stream)",
    async ({ client, before, stream }) => {
      const error = await failure(
        client === "openai" ? openaiText(before, stream) : anthropicText(before, stream),
      );
      expect(error.status).toBe(429);
      // Bedrock sends no Retry-After; the gateway's default takes its place.
      expect(error.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      if (client === "openai") expect(error.error).toMatchObject({ code: "upstream_rate_limited" });
      else expect(error.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
      expect(`${error.message}`).toMatch(/bedrock is rate-limiting the gateway/);
      expect(`${error.message}${JSON.stringify(error.error)}`).not.toContain(awsKeyId);
      const outcome = await outcomeFor(h, before);
      expect(outcome).toMatchObject({ status: 429, errorCode: "upstream_rate_limited", relayedEvents: 0 });
    },
  );
});

describe("Vertex OAuth", () => {
  it("five requests, three at once, make one token fetch; every request carries that token", async () => {
    const before = h.oauth.fetches();
    // Settled, not Promise.all: a failure must not leave requests in flight when the gateway closes.
    const settled = await Promise.allSettled([0, 1, 2].map(() => openaiText(refs.vertexOnce, false)));
    expect(settled.map((entry) => (entry.status === "rejected" ? String(entry.reason) : "ok"))).toEqual([
      "ok",
      "ok",
      "ok",
    ]);
    const results = settled.map((entry) => (entry as PromiseFulfilledResult<OpenAIResult>).value);
    results.push(await openaiText(refs.vertexOnce, true), await openaiText(refs.vertexOnce, false));
    expect(h.oauth.fetches() - before).toBe(1);
    expect(h.oauth.refusals).toEqual([]);
    expect(results.map((result) => result.text)).toEqual([
      ...[0, 1, 2].map(() => cloudExpected("vertex", "text", false).text),
      cloudExpected("vertex", "text", true).text,
      cloudExpected("vertex", "text", false).text,
    ]);
    const received = h.cloud.received("/vertex/v1/projects/test-project/locations/europe-west4/");
    expect(received).toHaveLength(5);
    const tokens = new Set(received.map((request) => request.headers.authorization));
    expect(tokens.size).toBe(1);
    const [token] = [...tokens];
    expect(token).toMatch(/^Bearer ya29\.mock-/);
    expect(h.oauth.accepts(String(token).slice("Bearer ".length))).toBe(true);
    expect(
      h.outcomes.filter((outcome) => outcome.modelRef === refs.vertexOnce && outcome.status === 200),
    ).toHaveLength(5);
  });
});
