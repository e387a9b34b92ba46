import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticAuthenticator } from "../auth/static-authenticator.js";
import { generateToken, hashToken } from "../auth/token.js";
import { loadConfig } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import { createLogger } from "../telemetry/logger.js";
import { createUpstreamClient } from "../upstream/index.js";
import { buildApp } from "./app.js";
import { registerConsole } from "./console.js";
import { ADMIN_SECURITY_HEADERS } from "./security-headers.js";

const token = generateToken();
const INDEX =
  '<!doctype html><html><head><script type="module" src="/admin/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'document.getElementById("root").textContent = "console";\n';

const loaded = loadConfig('{ "modelConfiguration": { "sourcegraph": null } }', { env: {} });
if (!loaded.ok) throw new Error("test config does not load");
const catalogue = loaded.catalogue;

/** The gateway's Fastify app with the console served from `root` and one admin API route beside it. */
async function gatewayApp(root: string): Promise<FastifyInstance> {
  const authenticator = new StaticAuthenticator([
    { hash: hashToken(token), principal: { actorId: "admin", name: "Admin", role: "admin", tokenId: "t1" } },
  ]);
  return buildApp({
    logger: createLogger({ level: "silent" }),
    bodyLimit: 1024,
    trustProxy: false,
    authenticator: () => authenticator,
    models: () => ({ forActor: () => undefined as never }),
    proxy: {
      catalogue: () => catalogue,
      upstream: createUpstreamClient(),
      credentials: {
        resolve: () => ({ ok: false, error: new GatewayError("gateway_unavailable", "no keys") }),
      },
    },
    readiness: [],
    extraRoutes: (app, { authenticate }) => {
      app.get("/admin/api/probe", { onRequest: authenticate }, async () => ({ probed: true }));
      registerConsole(app, { root });
    },
  });
}

function expectSecurityHeaders(headers: Record<string, unknown>, except: string[] = []) {
  for (const [name, value] of Object.entries(ADMIN_SECURITY_HEADERS)) {
    if (!except.includes(name)) expect(headers[name], name).toBe(value);
  }
}

describe("the web console at /admin/", () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-console-"));
    await mkdir(join(dir, "assets"));
    await writeFile(join(dir, "index.html"), INDEX);
    await writeFile(join(dir, "assets", "index-abc123.js"), SCRIPT);
    await writeFile(join(dir, "favicon.svg"), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dir, ".secret"), "not for the web");
    app = await gatewayApp(dir);
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves index.html at /admin and /admin/ with the admin security headers and no-store", async () => {
    for (const url of ["/admin", "/admin/", "/admin/index.html"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["content-type"], url).toMatch(/^text\/html/);
      expect(response.body, url).toBe(INDEX);
      expectSecurityHeaders(response.headers);
    }
  });

  it("serves the hashed assets with their type, the security headers and a long cache", async () => {
    const response = await app.inject({ method: "GET", url: "/admin/assets/index-abc123.js" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^(text|application)\/javascript/);
    expect(response.body).toBe(SCRIPT);
    expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expectSecurityHeaders(response.headers, ["cache-control"]);
    const head = await app.inject({ method: "HEAD", url: "/admin/assets/index-abc123.js" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
    // Files outside assets/ have no hash in their name: not cached.
    const icon = await app.inject({ method: "GET", url: "/admin/favicon.svg" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["cache-control"]).toBe("no-store");
  });

  it("leaves the admin API to its routes, and unknown paths under /admin/ to the JSON 404", async () => {
    const probe = await app.inject({
      method: "GET",
      url: "/admin/api/probe",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(probe.statusCode).toBe(200);
    expect(probe.json()).toEqual({ probed: true });
    expectSecurityHeaders(probe.headers);
    const unauthenticated = await app.inject({ method: "GET", url: "/admin/api/probe" });
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.json().error.code).toBe("unauthenticated");
    for (const url of [
      "/admin/api/nothing-here",
      "/admin/nothing-here",
      "/admin/assets/missing.js",
      "/admin/.secret",
    ]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers["content-type"], url).toMatch(/^application\/json/);
      expect(response.json().error.code, url).toBe("not_found");
      expectSecurityHeaders(response.headers);
    }
    const post = await app.inject({ method: "POST", url: "/admin/api/nothing-here", payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.json().error.code).toBe("not_found");
  });

  it("serves nothing outside its folder", async () => {
    for (const url of [
      "/admin/../package.json",
      "/admin/%2e%2e/package.json",
      "/admin/assets/..%2f..%2findex.html",
    ]) {
      const response = await app.inject({ method: "GET", url });
      expect([400, 403, 404], url).toContain(response.statusCode);
      expect(response.body, url).not.toContain('"name"');
    }
  });
});

describe("the web console when it was not built", () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-console-empty-"));
    app = await gatewayApp(dir);
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("says to run npm run build at /admin/, with the security headers", async () => {
    for (const url of ["/admin", "/admin/", "/admin/assets/index-abc123.js"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(503);
      expect(response.headers["content-type"], url).toMatch(/^text\/plain/);
      expect(response.body, url).toMatch(/not built.*npm run build/);
      expectSecurityHeaders(response.headers);
    }
  });

  it("keeps the admin API's 404 in JSON", async () => {
    const response = await app.inject({ method: "GET", url: "/admin/api/nothing-here" });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe("not_found");
  });
});
