import { describe, expect, it } from "vitest";
import { newOutcome, type RequestOutcome } from "../proxy/outcome.js";
import { toUsageEvent } from "./usage-event.js";

function outcome(fields: Partial<RequestOutcome>, route = "/v1/chat/completions"): RequestOutcome {
  return Object.assign(newOutcome("req-1", route, "openai", 0), { startedAt: 1_700_000_000_000 }, fields);
}

const answered: Partial<RequestOutcome> = {
  traceId: "trace-1",
  actorId: "alice",
  tokenId: "tok_a",
  feature: "chat",
  modelRef: "openai::v1::gpt",
  providerId: "openai",
  credential: "config",
  endpointUrl: "https://api.example.com:8443/v1/chat/completions?key=secret-query-key",
  status: 200,
  upstreamSent: true,
  usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 30, cacheWriteTokens: 5, reasoningTokens: 7 },
  costUsd: 0.0012,
  durationMs: 250.123,
  upstreamSentMs: 3,
  upstreamFirstByteMs: 120,
  upstreamDoneMs: 240,
  clientFirstByteMs: 245,
};

describe("toUsageEvent", () => {
  it("an answered request: who, what, where (origin only), tokens, cost and times", () => {
    expect(toUsageEvent(outcome(answered))).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      time: new Date(1_700_000_000_000),
      requestId: "req-1",
      traceId: "trace-1",
      actorId: "alice",
      tokenId: "tok_a",
      feature: "chat",
      route: "/v1/chat/completions",
      dialect: "openai",
      modelRef: "openai::v1::gpt",
      providerId: "openai",
      endpoint: "https://api.example.com:8443",
      credential: "config",
      stream: false,
      status: 200,
      errorCode: null,
      inputTokens: 100,
      outputTokens: 20,
      cacheReadTokens: 30,
      cacheWriteTokens: 5,
      reasoningTokens: 7,
      costUsd: 0.0012,
      latencyMs: 250.12,
      ttftMs: 245,
      upstreamMs: 117,
      // 3 ms before the call left, 5 ms from the whole answer read to its first byte out.
      overheadMs: 8,
    });
  });

  it("each event has its own id, so a retried write can recognise it", () => {
    expect(toUsageEvent(outcome(answered)).eventId).not.toBe(toUsageEvent(outcome(answered)).eventId);
  });

  it("a stream's overhead is only the time before the call left", () => {
    const event = toUsageEvent(outcome({ ...answered, stream: true, upstreamDoneMs: undefined }));
    expect(event).toMatchObject({ stream: true, overheadMs: 3, upstreamMs: 117, ttftMs: 245 });
  });

  it("an upstream error keeps its status, code and the cost of what was billed", () => {
    const event = toUsageEvent(
      outcome({
        ...answered,
        status: 502,
        errorCode: "upstream_error",
        usage: undefined,
        costUsd: undefined,
        upstreamDoneMs: undefined,
        clientFirstByteMs: 130,
      }),
    );
    expect(event).toMatchObject({ status: 502, errorCode: "upstream_error", inputTokens: 0, costUsd: 0 });
    expect(event.overheadMs).toBe(3);
  });

  it.each([401, 403, 429])("a refused request (%i) records zero tokens and no times upstream", (status) => {
    const event = toUsageEvent(
      outcome({
        status,
        errorCode: "rate_limited",
        actorId: status === 401 ? undefined : "alice",
        // An estimate made before the refusal must not count.
        usage: { inputTokens: 50, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
        costUsd: 0.5,
        durationMs: 1.5,
        clientFirstByteMs: 1.2,
      }),
    );
    expect(event).toMatchObject({
      status,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
      latencyMs: 1.5,
      ttftMs: 1.2,
      upstreamMs: null,
      overheadMs: null,
      endpoint: null,
    });
  });

  it("a client that went away (499) keeps the tokens counted up to then", () => {
    const event = toUsageEvent(
      outcome({
        ...answered,
        stream: true,
        status: 499,
        errorCode: "client_closed",
        usage: { inputTokens: 100, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0 },
        costUsd: 0.0003,
      }),
    );
    expect(event).toMatchObject({ status: 499, inputTokens: 100, outputTokens: 3, costUsd: 0.0003 });
  });

  it("an endpoint that is not a URL is left out rather than recorded whole", () => {
    expect(toUsageEvent(outcome({ ...answered, endpointUrl: "not a url?key=k" })).endpoint).toBeNull();
  });
});

describe("the event's dialect", () => {
  it("is the ingress that answered, which the path alone does not tell (a Cody token on /v1/embeddings)", () => {
    const cody = Object.assign(newOutcome("req-2", "/v1/embeddings", "cody", 0), answered);
    expect(toUsageEvent(cody).dialect).toBe("cody");
    expect(toUsageEvent(outcome(answered, "/v1/embeddings")).dialect).toBe("openai");
  });
});
