/**
 * Issue 15, security: failed authentication limited per client address (proxy lane and Fastify routes alike),
 * CORS off unless configured, security headers on the admin API. A real gateway on a socket, in front of the
 * mock upstream; client addresses vary through X-Forwarded-For, which `trustProxy: true` honours.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";
import { gatewayConfig, gatewayToken, refusedOrigin } from "./gateway-harness.js";

const APP = "https://app.example.com";

interface Running {
  gateway: Gateway;
  dir: string;
}

let mock: MockUpstream;
let guarded: Running;
let plain: Running;

async function start(server: Record<string, unknown>): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-security-"));
  const text = gatewayConfig(mock.url, await refusedOrigin(), join(dir, "tollgate.db"));
  const config = JSON.parse(text.slice(text.indexOf("\n") + 1)) as Record<string, unknown>;
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, JSON.stringify({ ...config, server }));
  const gateway = await startTestGateway({ file, dir, env: { TOLLGATE_ADMIN_TOKEN: gatewayToken } });
  return { gateway, dir };
}

beforeAll(async () => {
  mock = await startMockUpstream();
  guarded = await start({
    trustProxy: true,
    authFailures: { limit: 3, window: "1m" },
    cors: { origins: [APP], maxAge: "10m" },
  });
  plain = await start({});
}, 60_000);

afterAll(async () => {
  for (const running of [guarded, plain]) {
    await running?.gateway.close();
    if (running) await rm(running.dir, { recursive: true, force: true });
  }
  await mock?.close();
});

function call(
  running: Running,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Response> {
  return fetch(`${running.gateway.url}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const chat = { model: "openai::v1::text", messages: [{ role: "user", content: "hi" }] };
const from = (address: string, token?: string) => ({
  "x-forwarded-for": address,
  ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
});

describe("failed authentication is limited per client address", () => {
  test("after the limit, an address gets 429 in the route's dialect for tokens not known from memory; others are unaffected", async () => {
    const attacker = "203.0.113.7";
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await call(
        guarded,
        "POST",
        "/v1/chat/completions",
        from(attacker, `tg_guess_${attempt}`),
        chat,
      );
      expect(response.status).toBe(401);
    }
    // Without a token, or with one the gateway would have to look up: refused without the lookup.
    for (const token of [undefined, "tg_guess_4"]) {
      const refused = await call(guarded, "POST", "/v1/chat/completions", from(attacker, token), chat);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      expect(await refused.json()).toMatchObject({
        error: {
          code: "rate_limited",
          message: expect.stringContaining("too many failed authentication attempts"),
        },
      });
    }
    const anthropic = await call(guarded, "POST", "/v1/messages", from(attacker, "tg_guess_5"), {
      model: "anthropic::v1::text",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(anthropic.status).toBe(429);
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    // Fastify routes share the count: the admin API and /v1/models.
    expect((await call(guarded, "GET", "/admin/api/tokens", from(attacker, "tg_guess_6"))).status).toBe(429);
    expect((await call(guarded, "GET", "/v1/models", from(attacker))).status).toBe(429);

    // Another address with the valid token keeps working, on both kinds of route.
    const other = from("198.51.100.9", gatewayToken);
    expect((await call(guarded, "POST", "/v1/chat/completions", other, chat)).status).toBe(200);
    expect((await call(guarded, "GET", "/admin/api/tokens", other)).status).toBe(200);

    // Refusals are counted for Prometheus: the attacker's five above.
    const metrics = await (await call(guarded, "GET", "/metrics")).text();
    expect(metrics).toMatch(/^tollgate_auth_failure_refusals_total (\d+)$/m);
    expect(Number(/^tollgate_auth_failure_refusals_total (\d+)$/m.exec(metrics)![1])).toBe(5);
  });

  test("a valid token known from memory is served from a blocked address (NAT, a balancer without trustProxy), an unknown one is refused (review finding 4)", async () => {
    const shared = "203.0.113.10";
    for (let attempt = 0; attempt < 3; attempt++)
      expect((await call(guarded, "GET", "/v1/models", from(shared, `tg_wrong_${attempt}`))).status).toBe(
        401,
      );
    const valid = from(shared, gatewayToken);
    expect((await call(guarded, "POST", "/v1/chat/completions", valid, chat)).status).toBe(200);
    const messages = await call(guarded, "POST", "/v1/messages", valid, {
      model: "anthropic::v1::text",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(messages.status).toBe(200);
    expect((await call(guarded, "GET", "/admin/api/tokens", valid)).status).toBe(200);
    expect((await call(guarded, "GET", "/v1/models", valid)).status).toBe(200);
    // The guesser behind the same address is still refused.
    const guess = from(shared, "tg_wrong_9");
    expect((await call(guarded, "POST", "/v1/chat/completions", guess, chat)).status).toBe(429);
    expect((await call(guarded, "GET", "/v1/models", guess)).status).toBe(429);
  });

  test("failures on Fastify routes count for the proxy lane too (one count per address)", async () => {
    const address = "203.0.113.8";
    for (let attempt = 0; attempt < 3; attempt++)
      expect((await call(guarded, "GET", "/v1/models", from(address, "tg_nope"))).status).toBe(401);
    expect(
      (await call(guarded, "POST", "/v1/chat/completions", from(address, "tg_nope_again"), chat)).status,
    ).toBe(429);
  });

  test("without the setting, the default (20 a minute) does not get in the way of a few failures", async () => {
    for (let attempt = 0; attempt < 5; attempt++)
      expect((await call(plain, "GET", "/v1/models", from("203.0.113.9", "tg_nope"))).status).toBe(401);
    expect((await call(plain, "GET", "/v1/models", from("203.0.113.9", gatewayToken))).status).toBe(200);
  });
});

describe("CORS", () => {
  test("off by default: no CORS headers on answers, and a preflight gets no allow headers", async () => {
    const answer = await call(
      plain,
      "POST",
      "/v1/chat/completions",
      { origin: APP, authorization: `Bearer ${gatewayToken}` },
      chat,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await call(plain, "OPTIONS", "/v1/chat/completions", {
      origin: APP,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-headers")).toBeNull();
    expect(preflight.headers.get("access-control-allow-methods")).toBeNull();
  });

  test("a preflight from a listed origin is answered with what the SDKs send; another origin gets nothing", async () => {
    const preflight = await call(guarded, "OPTIONS", "/v1/messages", {
      origin: APP,
      "access-control-request-method": "POST",
      "access-control-request-headers":
        "x-api-key, anthropic-version, anthropic-beta, content-type, x-stainless-os, x-stainless-retry-count, x-evil",
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(APP);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe(
      "x-api-key, anthropic-version, anthropic-beta, content-type, x-stainless-os, x-stainless-retry-count",
    );
    expect(preflight.headers.get("access-control-max-age")).toBe("600");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();

    const stranger = await call(guarded, "OPTIONS", "/v1/messages", {
      origin: "https://evil.example",
      "access-control-request-method": "POST",
    });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    expect(stranger.headers.get("access-control-allow-methods")).toBeNull();
  });

  test("answers to a listed origin carry it, on a proxy route (whole, stream, error) and an admin route", async () => {
    const headers = { origin: APP, authorization: `Bearer ${gatewayToken}`, "x-forwarded-for": "192.0.2.1" };
    const whole = await call(guarded, "POST", "/v1/chat/completions", headers, chat);
    const stream = await call(guarded, "POST", "/v1/chat/completions", headers, { ...chat, stream: true });
    const error = await call(guarded, "POST", "/v1/chat/completions", headers, {
      ...chat,
      model: "nope::v1::x",
    });
    const admin = await call(guarded, "GET", "/admin/api/tokens", headers);
    expect([whole.status, stream.status, error.status, admin.status]).toEqual([200, 200, 404, 200]);
    await stream.text();
    for (const answer of [whole, stream, error, admin]) {
      expect(answer.headers.get("access-control-allow-origin")).toBe(APP);
      expect(answer.headers.get("vary")).toContain("origin");
      expect(answer.headers.get("access-control-expose-headers")).toContain("x-request-id");
    }
    const stranger = await call(guarded, "GET", "/admin/api/tokens", {
      ...headers,
      origin: "https://evil.example",
    });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("security headers", () => {
  test("admin API answers (and its errors) are not cached, sniffed, framed or referred", async () => {
    const ok = await call(plain, "GET", "/admin/api/tokens", { authorization: `Bearer ${gatewayToken}` });
    const refused = await call(plain, "GET", "/admin/api/tokens");
    const missing = await call(plain, "GET", "/admin/nothing-here");
    expect([ok.status, refused.status, missing.status]).toEqual([200, 401, 404]);
    for (const answer of [ok, refused, missing]) {
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
      expect(answer.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(answer.headers.get("content-security-policy")).toContain("default-src 'self'");
    }
    // Other routes are left as they were.
    const models = await call(plain, "GET", "/v1/models", { authorization: `Bearer ${gatewayToken}` });
    expect(models.headers.get("cache-control")).toBeNull();
  });
});
