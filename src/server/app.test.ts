import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticAuthenticator } from "../auth/static-authenticator.js";
import { generateToken, hashToken } from "../auth/token.js";
import { loadConfig } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import { createLogger } from "../telemetry/logger.js";
import { createUpstreamClient } from "../upstream/index.js";
import { buildApp } from "./app.js";
import type { ModelListing, ModelView } from "./routes/models.js";

const token = generateToken();
const gpt4o = {
  openai: { id: "openai::2024-02-01::gpt-4o" },
  anthropic: { type: "model", id: "openai::2024-02-01::gpt-4o" },
};
const view: ModelView = {
  list: { object: "list", data: [{ id: "openai::2024-02-01::gpt-4o", object: "model" }] },
  anthropicList: { data: [gpt4o.anthropic], has_more: false },
  find: (id) => (id === "gpt-4o" || id === "openai::2024-02-01::gpt-4o" ? { model: gpt4o } : undefined),
  modelConfig: { schemaVersion: "1.0" },
};
const listing: ModelListing = { forActor: () => view };

const loaded = loadConfig('{ "modelConfiguration": { "sourcegraph": null } }', { env: {} });
if (!loaded.ok) throw new Error("test config does not load");
const catalogue = loaded.catalogue;
const upstream = createUpstreamClient();

describe("server", () => {
  let app: FastifyInstance;
  let storeUp = true;

  beforeAll(async () => {
    const authenticator = new StaticAuthenticator([
      {
        hash: hashToken(token),
        principal: { actorId: "admin", name: "Admin", role: "admin", tokenId: "t1" },
      },
    ]);
    app = await buildApp({
      logger: createLogger({ level: "silent" }),
      bodyLimit: 1024,
      trustProxy: false,
      authenticator: () => authenticator,
      models: () => listing,
      proxy: {
        catalogue: () => catalogue,
        upstream,
        credentials: {
          resolve: () => ({ ok: false, error: new GatewayError("gateway_unavailable", "no keys") }),
        },
      },
      readiness: [
        {
          name: "store",
          check: async () => {
            if (!storeUp) throw new Error("down");
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await upstream.destroy();
  });

  it("answers /healthz without a token and sets a request id", async () => {
    const response = await app.inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ok" });
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps a sane incoming x-request-id and replaces a hostile one", async () => {
    const kept = await app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "abc-123" } });
    expect(kept.headers["x-request-id"]).toBe("abc-123");
    const replaced = await app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "a b\u0000<x>" },
    });
    expect(replaced.headers["x-request-id"]).not.toBe("a b\u0000<x>");
  });

  it("reports readiness from its checks", async () => {
    expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    storeUp = false;
    const down = await app.inject({ method: "GET", url: "/readyz" });
    storeUp = true;
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: "unavailable", checks: { store: "unavailable" } });
  });

  it("refuses /v1/models without a token, in the OpenAI error shape", async () => {
    const response = await app.inject({ method: "GET", url: "/v1/models" });
    expect(response.statusCode).toBe(401);
    const body = response.json();
    expect(body.error.type).toBe("authentication_error");
    expect(body.error.code).toBe("unauthenticated");
    expect(body.error.message).toMatch(/missing access token/);
  });

  it("refuses a wrong token and accepts the right one from each header", async () => {
    const wrong = await app.inject({
      method: "GET",
      url: "/v1/models",
      headers: { authorization: "Bearer tg_nope" },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toMatch(/invalid access token/);
    for (const headers of [
      { authorization: `bearer ${token}` },
      { "x-api-key": token },
      { "api-key": token },
    ]) {
      const ok = await app.inject({ method: "GET", url: "/v1/models", headers });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual(view.list);
    }
  });

  it("finds one model by ref or id, with slashes and colons in the path", async () => {
    const headers = { authorization: `Bearer ${token}` };
    const byRef = await app.inject({ method: "GET", url: "/v1/models/openai::2024-02-01::gpt-4o", headers });
    expect(byRef.statusCode).toBe(200);
    const missing = await app.inject({ method: "GET", url: "/v1/models/accounts/x/models/y", headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("model_not_found");
    expect(missing.json().error.message).toContain("accounts/x/models/y");
  });

  it("answers unknown routes with 404 in the route's dialect", async () => {
    const openai = await app.inject({ method: "GET", url: "/v1/nothing" });
    expect(openai.statusCode).toBe(404);
    expect(openai.json().error.code).toBe("not_found");
    const anthropic = await app.inject({ method: "GET", url: "/v1/messages/nothing" });
    expect(anthropic.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "no route for GET /v1/messages/nothing" },
    });
  });
});
