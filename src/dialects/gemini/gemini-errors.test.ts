import { describe, expect, it } from "vitest";
import { geminiErrorToCanonical, geminiRetryAfterSeconds } from "./gemini-errors.js";
import { geminiUsageToCanonical } from "./gemini-usage.js";

const body = (error: Record<string, unknown>) => ({ error });

describe("gemini errors", () => {
  it("classifies by HTTP status first, and by the body's code or status name inside a 200 stream", () => {
    const cases: Array<[number, unknown, number, string]> = [
      [400, body({ code: 400, message: "m", status: "INVALID_ARGUMENT" }), 400, "invalid_request"],
      [401, body({ code: 401, message: "m", status: "UNAUTHENTICATED" }), 401, "authentication"],
      [403, body({ code: 403, message: "m", status: "PERMISSION_DENIED" }), 403, "permission"],
      [404, body({ code: 404, message: "m", status: "NOT_FOUND" }), 404, "not_found"],
      [429, body({ code: 429, message: "m", status: "RESOURCE_EXHAUSTED" }), 429, "rate_limit"],
      [500, body({ code: 500, message: "m", status: "INTERNAL" }), 500, "api_error"],
      [503, body({ code: 503, message: "m", status: "UNAVAILABLE" }), 503, "overloaded"],
      [504, body({ code: 504, message: "m", status: "DEADLINE_EXCEEDED" }), 504, "timeout"],
      [200, body({ code: 429, message: "m", status: "RESOURCE_EXHAUSTED" }), 429, "rate_limit"],
      [200, body({ message: "m", status: "UNAVAILABLE" }), 503, "overloaded"],
      [200, body({ message: "m" }), 500, "api_error"],
      // Without alt=sse a streamed error comes as a JSON array.
      [200, [body({ code: 400, message: "m", status: "INVALID_ARGUMENT" })], 400, "invalid_request"],
    ];
    for (const [status, input, expected, type] of cases) {
      expect(geminiErrorToCanonical(status, input)).toMatchObject({ status: expected, type, message: "m" });
    }
  });

  it("names the field of a BadRequest detail and falls back to the text of a body", () => {
    expect(
      geminiErrorToCanonical(
        400,
        body({
          code: 400,
          message: "Invalid value",
          status: "INVALID_ARGUMENT",
          details: [
            {
              "@type": "type.googleapis.com/google.rpc.BadRequest",
              fieldViolations: [{ field: "generation_config.temperature", description: "too high" }],
            },
          ],
        }),
      ),
    ).toEqual({
      status: 400,
      type: "invalid_request",
      code: "INVALID_ARGUMENT",
      message: "Invalid value",
      param: "generation_config.temperature",
    });
    expect(geminiErrorToCanonical(502, "Bad Gateway")).toEqual({
      status: 502,
      type: "api_error",
      message: "Bad Gateway",
    });
    expect(geminiErrorToCanonical(500, undefined).message).toBe("upstream returned HTTP 500");
  });

  it("reads RetryInfo.retryDelay, rounded up", () => {
    const retry = (retryDelay: unknown) =>
      geminiRetryAfterSeconds(
        body({ code: 429, details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }] }),
      );
    expect(retry("17s")).toBe(17);
    expect(retry("34.4s")).toBe(35);
    expect(retry("0.2s")).toBe(1);
    expect(retry({ seconds: "3", nanos: 500_000_000 })).toBe(4);
    expect(retry("soon")).toBeUndefined();
    expect(geminiRetryAfterSeconds(body({ code: 429 }))).toBeUndefined();
    expect(geminiRetryAfterSeconds("nope")).toBeUndefined();
  });
});

describe("gemini usage", () => {
  it("counts thoughts as output and reasoning, cached tokens as cache reads inside the prompt", () => {
    const cases: Array<[unknown, unknown]> = [
      [
        { promptTokenCount: 9, candidatesTokenCount: 5, thoughtsTokenCount: 185, totalTokenCount: 199 },
        { inputTokens: 9, outputTokens: 190, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 185 },
      ],
      [
        { promptTokenCount: 1000, cachedContentTokenCount: 800, candidatesTokenCount: 20 },
        { inputTokens: 1000, outputTokens: 20, cacheReadTokens: 800, cacheWriteTokens: 0 },
      ],
      [
        { promptTokenCount: 10, toolUsePromptTokenCount: 40, candidatesTokenCount: 3 },
        { inputTokens: 50, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0 },
      ],
      [
        { promptTokenCount: 15, totalTokenCount: 15 },
        { inputTokens: 15, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      ],
      [{ trafficType: "ON_DEMAND" }, undefined],
      [{ promptTokenCount: -1 }, undefined],
      [undefined, undefined],
    ];
    for (const [input, expected] of cases) expect(geminiUsageToCanonical(input)).toEqual(expected);
  });
});
