import { describe, expect, it } from "vitest";
import { errorCatalogue } from "../errors/index.js";
import {
  classifyTransportError,
  DEFAULT_RETRY_AFTER_SECONDS,
  isFailoverFailure,
  isFailoverStatus,
  mapTransportFailure,
  mapUpstreamStatus,
  parseErrorMessage,
  parseRetryAfter,
  type TransportFailureKind,
} from "./error-mapping.js";
import { scrubSecrets } from "./scrub.js";

const SECRET = "our-central-key-9f8e7d6c";
const NOW = Date.parse("2025-01-01T00:00:00Z");

describe("mapUpstreamStatus", () => {
  const openai = (message: string) => JSON.stringify({ error: { message, type: "invalid_request_error" } });
  const rows: Array<{
    name: string;
    status: number;
    body?: string;
    headers?: Record<string, string>;
    expect: { status: number; code: string; message: RegExp; retryAfterSeconds?: number };
  }> = [
    {
      name: "400 keeps status and OpenAI message",
      status: 400,
      body: openai("temperature must be <= 2"),
      expect: { status: 400, code: "invalid_request", message: /^openai: temperature must be <= 2$/ },
    },
    {
      name: "400 Anthropic shape",
      status: 400,
      body: JSON.stringify({
        type: "error",
        error: { type: "invalid_request_error", message: "max_tokens: required" },
      }),
      expect: { status: 400, code: "invalid_request", message: /^openai: max_tokens: required$/ },
    },
    {
      name: "400 Google shape",
      status: 400,
      body: JSON.stringify({
        error: { code: 400, message: "Invalid JSON payload", status: "INVALID_ARGUMENT" },
      }),
      expect: { status: 400, code: "invalid_request", message: /Invalid JSON payload/ },
    },
    {
      name: "400 plain text",
      status: 400,
      body: "  bad request: prompt too long \n",
      expect: { status: 400, code: "invalid_request", message: /^openai: bad request: prompt too long$/ },
    },
    {
      name: "400 HTML page gives a generic message",
      status: 400,
      body: "<html><body>Bad</body></html>",
      expect: { status: 400, code: "invalid_request", message: /^openai rejected the request \(HTTP 400\)$/ },
    },
    {
      name: "400 empty body",
      status: 400,
      body: "",
      expect: { status: 400, code: "invalid_request", message: /HTTP 400/ },
    },
    {
      name: "400 truncated JSON falls back to text",
      status: 400,
      body: '{"error":{"message":"cut',
      expect: { status: 400, code: "invalid_request", message: /cut/ },
    },
    {
      name: "400 echoing the key is scrubbed",
      status: 400,
      body: openai(`bad header value ${SECRET}`),
      expect: { status: 400, code: "invalid_request", message: /bad header value \[redacted\]/ },
    },
    {
      name: "404 keeps status",
      status: 404,
      body: openai("The model `gpt-9` does not exist"),
      expect: { status: 404, code: "not_found", message: /gpt-9/ },
    },
    {
      name: "413 keeps status",
      status: 413,
      body: openai("request too large"),
      expect: { status: 413, code: "body_too_large", message: /request too large/ },
    },
    {
      name: "422 keeps its status though the catalogue has no code for it",
      status: 422,
      body: JSON.stringify({ detail: [{ msg: "field required" }] }),
      expect: { status: 422, code: "invalid_request", message: /field required/ },
    },
    {
      name: "409 keeps status",
      status: 409,
      body: "conflict",
      expect: { status: 409, code: "invalid_request", message: /conflict/ },
    },
    {
      name: "401 is our key: 502 without the upstream message",
      status: 401,
      body: openai(`Incorrect API key provided: ${SECRET}`),
      expect: {
        status: 502,
        code: "upstream_auth_failed",
        message: /^openai refused the gateway's credentials \(HTTP 401\)/,
      },
    },
    {
      name: "403 is our key too",
      status: 403,
      body: openai("Project does not have access"),
      expect: { status: 502, code: "upstream_auth_failed", message: /HTTP 403/ },
    },
    {
      name: "402 billing is the provider account's problem",
      status: 402,
      body: openai("Insufficient credits"),
      expect: { status: 502, code: "upstream_error", message: /billing/ },
    },
    {
      name: "405 means the gateway built a wrong request",
      status: 405,
      expect: { status: 502, code: "upstream_error", message: /HTTP 405/ },
    },
    {
      name: "415 means the gateway built a wrong request",
      status: 415,
      expect: { status: 502, code: "upstream_error", message: /HTTP 415/ },
    },
    {
      name: "302 redirect is unexpected",
      status: 302,
      expect: { status: 502, code: "upstream_error", message: /HTTP 302/ },
    },
    {
      name: "408 is a timeout",
      status: 408,
      expect: { status: 504, code: "upstream_timeout", message: /HTTP 408/ },
    },
    {
      name: "429 passes Retry-After seconds",
      status: 429,
      headers: { "retry-after": "7" },
      body: openai("slow down org-123"),
      expect: {
        status: 429,
        code: "upstream_rate_limited",
        message: /^openai is rate-limiting the gateway/,
        retryAfterSeconds: 7,
      },
    },
    {
      name: "429 with an HTTP date",
      status: 429,
      headers: { "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" },
      expect: { status: 429, code: "upstream_rate_limited", message: /rate-limiting/, retryAfterSeconds: 30 },
    },
    {
      name: "429 with retry-after-ms rounds up",
      status: 429,
      headers: { "retry-after-ms": "1500" },
      expect: { status: 429, code: "upstream_rate_limited", message: /rate-limiting/, retryAfterSeconds: 2 },
    },
    {
      name: "429 without Retry-After gets the default",
      status: 429,
      expect: {
        status: 429,
        code: "upstream_rate_limited",
        message: /rate-limiting/,
        retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
      },
    },
    {
      name: "429 with garbage Retry-After gets the default",
      status: 429,
      headers: { "retry-after": "soon" },
      expect: {
        status: 429,
        code: "upstream_rate_limited",
        message: /rate-limiting/,
        retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
      },
    },
    {
      name: "503 is overloaded",
      status: 503,
      headers: { "retry-after": "3" },
      expect: {
        status: 503,
        code: "upstream_overloaded",
        message: /overloaded \(HTTP 503\)/,
        retryAfterSeconds: 3,
      },
    },
    {
      name: "529 (Anthropic) is overloaded",
      status: 529,
      body: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
      expect: { status: 503, code: "upstream_overloaded", message: /HTTP 529/ },
    },
    {
      name: "500 becomes 502",
      status: 500,
      body: openai("The server had an error"),
      expect: { status: 502, code: "upstream_error", message: /^openai failed \(HTTP 500\)$/ },
    },
    {
      name: "502 stays 502",
      status: 502,
      expect: { status: 502, code: "upstream_error", message: /HTTP 502/ },
    },
    {
      name: "504 from the upstream is 502",
      status: 504,
      expect: { status: 502, code: "upstream_error", message: /HTTP 504/ },
    },
  ];

  it.each(rows)("$name", (row) => {
    const error = mapUpstreamStatus({
      status: row.status,
      headers: row.headers,
      body: row.body,
      providerName: "openai",
      secrets: [SECRET],
      now: NOW,
    });
    expect(error.status).toBe(row.expect.status);
    expect(error.code).toBe(row.expect.code);
    expect(error.message).toMatch(row.expect.message);
    expect(error.retryAfterSeconds).toBe(row.expect.retryAfterSeconds);
    // The catalogue's status for the code matches unless the caller's 4xx status is kept.
    if (row.status < 400 || row.status >= 500 || [401, 402, 403, 405, 408, 415, 429].includes(row.status)) {
      expect(error.status).toBe(errorCatalogue[error.code].status);
    }
  });

  it("never puts a credential into any message, whatever the status and body", () => {
    const bodies = [
      JSON.stringify({ error: { message: `key ${SECRET} is invalid` } }),
      `Incorrect API key provided: sk-proj-abcdefghijklmnop1234. Authorization: Bearer ${SECRET}`,
      JSON.stringify({
        error: {
          message: "API key not valid: AIzaSyA1234567890abcdefghijklmnop",
          status: "INVALID_ARGUMENT",
        },
      }),
      `https://generativelanguage.googleapis.com/v1beta/models?key=${SECRET}`,
    ];
    for (let status = 300; status < 600; status++) {
      for (const body of bodies) {
        const error = mapUpstreamStatus({ status, body, providerName: "p", secrets: [SECRET] });
        expect(error.message).not.toContain(SECRET);
        expect(error.message).not.toContain("sk-proj-abcdefghijklmnop1234");
        expect(error.message).not.toContain("AIzaSyA1234567890abcdefghijklmnop");
      }
    }
  });

  it("uses a provider's own parser and survives one that throws", () => {
    const custom = mapUpstreamStatus({
      status: 400,
      body: "E42|context too long",
      providerName: "vendor",
      parseErrorMessage: (body) => body.split("|")[1],
    });
    expect(custom.message).toBe("vendor: context too long");
    const broken = mapUpstreamStatus({
      status: 400,
      body: "x",
      providerName: "vendor",
      parseErrorMessage: () => {
        throw new Error("boom");
      },
    });
    expect(broken.message).toBe("vendor rejected the request (HTTP 400)");
  });
});

describe("parseRetryAfter", () => {
  it.each([
    [{ "retry-after": "0" }, 0],
    [{ "retry-after": "12" }, 12],
    [{ "retry-after": "1.2" }, 2],
    [{ "retry-after": " 3 " }, 3],
    [{ "retry-after": "Wed, 01 Jan 2025 00:01:00 GMT" }, 60],
    [{ "retry-after": "Tue, 31 Dec 2024 23:59:00 GMT" }, 0],
    [{ "retry-after": "99999999" }, 86_400],
    [{ "retry-after": "-5" }, undefined],
    [{ "retry-after": "" }, undefined],
    [{ "retry-after-ms": "250", "retry-after": "9" }, 1],
    [{ "retry-after-ms": "abc", "retry-after": "9" }, 9],
    [{ "retry-after": ["4", "8"] }, 4],
    [{}, undefined],
  ])("%j → %s", (headers, expected) => {
    expect(parseRetryAfter(headers, NOW)).toBe(expected);
  });
});

describe("parseErrorMessage", () => {
  it.each([
    ['{"error":{"message":"m1"}}', "m1"],
    ['{"type":"error","error":{"type":"x","message":"m2"}}', "m2"],
    ['[{"error":{"code":400,"message":"m3","status":"INVALID_ARGUMENT"}}]', "m3"],
    ['{"error":"m4"}', "m4"],
    ['{"message":"m5"}', "m5"],
    ['{"detail":"m6"}', "m6"],
    ['{"detail":[{"loc":["body"],"msg":"m7"}]}', "m7"],
    ['{"error":{"code":1}}', undefined],
    ["{}", undefined],
    ["plain", "plain"],
    ["<!doctype html>", undefined],
    ["   ", undefined],
  ])("%s → %s", (body, expected) => {
    expect(parseErrorMessage(body)).toBe(expected);
  });
});

describe("scrubSecrets", () => {
  it.each([
    ["exact value", `x ${SECRET} y`, [SECRET], "x [redacted] y"],
    ["every occurrence", `${SECRET}${SECRET}`, [SECRET], "[redacted][redacted]"],
    [
      "OpenAI key",
      "Incorrect API key provided: sk-proj-AbC123xyz_-456.",
      [],
      "Incorrect API key provided: [redacted].",
    ],
    ["masked OpenAI key", "provided: sk-abc12***********wxyz", [], "provided: [redacted]"],
    ["Anthropic key", "sk-ant-api03-abcdefghijkl", [], "[redacted]"],
    ["Bearer header", "Authorization: Bearer abc.def.ghi", [], "Authorization: Bearer [redacted]"],
    ["Google key", "key AIzaSyA1234567890abcdefghijklmnop bad", [], "key [redacted] bad"],
    ["query key", "GET /v1/models?key=abc123&alt=sse", [], "GET /v1/models?key=[redacted]&alt=sse"],
    ["JSON api_key", '{"api_key": "zzz999"}', [], '{"api_key": "[redacted]"}'],
    ["AWS access key", "AKIAABCDEFGHIJKLMNOP denied", [], "[redacted] denied"],
    ["short secrets are not scrubbed by value", "abc def", ["abc"], "abc def"],
    ["ordinary text is untouched", "max_tokens: 100 is too large", [], "max_tokens: 100 is too large"],
  ])("%s", (_name, text, secrets, expected) => {
    expect(scrubSecrets(text, secrets)).toBe(expected);
  });
});

describe("transport failures", () => {
  const withCode = (code: string) => Object.assign(new Error("x"), { code });
  it.each<[string, unknown, TransportFailureKind]>([
    ["connect timeout", withCode("UND_ERR_CONNECT_TIMEOUT"), "connect_timeout"],
    ["headers timeout", withCode("UND_ERR_HEADERS_TIMEOUT"), "first_byte_timeout"],
    ["body timeout", withCode("UND_ERR_BODY_TIMEOUT"), "idle_timeout"],
    ["refused", withCode("ECONNREFUSED"), "unreachable"],
    ["DNS", withCode("ENOTFOUND"), "unreachable"],
    [
      "refused on every address (happy eyeballs)",
      new AggregateError([withCode("ECONNREFUSED")]),
      "unreachable",
    ],
    ["reset", withCode("ECONNRESET"), "connection_lost"],
    ["other side closed", withCode("UND_ERR_SOCKET"), "connection_lost"],
    ["undici abort", withCode("UND_ERR_ABORTED"), "aborted"],
    ["DOM abort", new DOMException("aborted", "AbortError"), "aborted"],
    [
      "wrapped cause",
      Object.assign(new Error("fetch failed"), { cause: withCode("ECONNRESET") }),
      "connection_lost",
    ],
    ["unknown", new Error("weird"), "other"],
  ])("classifies %s", (_name, error, kind) => {
    expect(classifyTransportError(error)).toBe(kind);
  });

  it.each<[TransportFailureKind, object, number, string, RegExp]>([
    [
      "connect_timeout",
      { timeoutMs: 10_000 },
      504,
      "upstream_timeout",
      /did not accept a connection within 10 s \(connect timeout\)/,
    ],
    [
      "first_byte_timeout",
      { timeoutMs: 600_000 },
      504,
      "upstream_timeout",
      /did not answer within 600 s \(time-to-first-byte timeout\)/,
    ],
    [
      "idle_timeout",
      { timeoutMs: 1_500 },
      504,
      "upstream_timeout",
      /did not send data for 1.5 s mid-response \(idle timeout\)/,
    ],
    ["unreachable", {}, 502, "upstream_error", /could not connect to anthropic/],
    ["connection_lost", {}, 502, "upstream_error", /failed before it answered/],
    ["connection_lost", { midStream: true }, 502, "upstream_error", /response broke off/],
    [
      "unreachable",
      { allEndpointsDown: true, endpointCount: 3 },
      503,
      "upstream_unavailable",
      /none of its 3 endpoints/,
    ],
    ["aborted", {}, 499, "client_closed", /client closed/],
    ["other", {}, 502, "upstream_error", /anthropic/],
  ])("maps %s %j", (kind, extra, status, code, message) => {
    const error = mapTransportFailure({ kind, providerName: "anthropic", ...extra });
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it("fails over only where nothing was answered yet", () => {
    expect([429, 500, 502, 503, 529].every(isFailoverStatus)).toBe(true);
    expect([400, 401, 404, 413, 422].some(isFailoverStatus)).toBe(false);
    expect(isFailoverFailure("unreachable")).toBe(true);
    expect(isFailoverFailure("connect_timeout")).toBe(true);
    expect(isFailoverFailure("first_byte_timeout")).toBe(false);
    expect(isFailoverFailure("idle_timeout")).toBe(false);
    expect(isFailoverFailure("aborted")).toBe(false);
  });
});
