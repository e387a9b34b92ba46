import { Writable } from "node:stream";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessAdmin } from "../auth/access-admin.js";
import { ActorDirectory } from "../auth/actor-directory.js";
import { hashToken } from "../auth/token.js";
import { authenticate } from "../server/auth-hook.js";
import { installErrorHandling } from "../server/error-handler.js";
import { openStore, type Store } from "../store/index.js";
import { createLogger } from "../telemetry/logger.js";
import { registerAdminRoutes } from "./register-admin-routes.js";
import { tokenAdminRoutes } from "./tokens-routes.js";

describe("admin API: tokens and actors", () => {
  let store: Store;
  let directory: ActorDirectory;
  let app: FastifyInstance;
  let logs = "";
  let adminToken: string;
  let readonlyToken: string;
  let userToken: string;
  /** Every token ever handed out in this test, to check none leaks into a response or the log. */
  const secrets: string[] = [];

  beforeAll(async () => {
    store = await openStore("sqlite::memory:");
    await store.migrate();
    const access = new AccessAdmin(store);
    adminToken = (await access.createToken({ name: "root", role: "admin" }, null)).token;
    readonlyToken = (await access.createToken({ name: "auditor", role: "readonly" }, null)).token;
    userToken = (await access.createToken({ name: "dev", role: "user" }, null)).token;
    secrets.push(adminToken, readonlyToken, userToken);
    directory = new ActorDirectory({
      store,
      actors: {
        list: [{ id: "from-config", role: "user", status: "active", tokens: [{ sha256: "c".repeat(64) }] }],
        sources: [],
      },
    });
    await directory.start();
    const logger = createLogger({
      level: "trace",
      destination: new Writable({
        write(chunk, _encoding, callback) {
          logs += String(chunk);
          callback();
        },
      }),
    });
    app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
    installErrorHandling(app, 1024 * 1024);
    registerAdminRoutes(
      app,
      tokenAdminRoutes({ store, directory }),
      authenticate(() => directory),
    );
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await directory.close();
    await store.close();
  });

  function call(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    token: string | undefined,
    body?: unknown,
  ) {
    return app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    });
  }

  it("creates a token once, lists it without secrets, revokes it; the directory follows", async () => {
    const created = await call("POST", "/admin/api/tokens", adminToken, { name: "ci", expiresIn: "30d" });
    expect(created.statusCode).toBe(201);
    const answer = created.json() as { id: string; actorId: string; token: string };
    secrets.push(answer.token);
    expect(Object.keys(answer).sort()).toEqual(["actorId", "id", "token"]);
    expect(answer.actorId).toBe("ci");
    expect(await directory.authenticate(answer.token)).toMatchObject({ actorId: "ci", role: "user" });

    const listed = await call("GET", "/admin/api/tokens?actorId=ci", readonlyToken);
    expect(listed.statusCode).toBe(200);
    const { tokens } = listed.json() as { tokens: { id: string; state: string; expiresAt: string }[] };
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ id: answer.id, state: "active", expiresAt: expect.any(String) });

    const more = await call("POST", "/admin/api/tokens", adminToken, { name: "ci laptop", actorId: "ci" });
    expect(more.json()).toMatchObject({ actorId: "ci" });
    secrets.push((more.json() as { token: string }).token);

    const revoked = await call("DELETE", `/admin/api/tokens/${answer.id}`, adminToken);
    expect(revoked.json()).toEqual({ id: answer.id, revoked: true });
    expect(directory.authenticate(answer.token)).toBeInstanceOf(Promise);
    expect(await directory.authenticate(answer.token)).toBeUndefined();
    expect((await call("DELETE", `/admin/api/tokens/${answer.id}`, adminToken)).json()).toEqual({
      id: answer.id,
      revoked: false,
    });
    const missing = await call("DELETE", "/admin/api/tokens/tok_nope", adminToken);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({
      error: { code: "not_found", message: "token `tok_nope` does not exist" },
    });
  });

  it("roles: readonly reads, only admin changes, user and anonymous get nothing", async () => {
    expect((await call("GET", "/admin/api/actors", readonlyToken)).statusCode).toBe(200);
    const refused = await call("POST", "/admin/api/tokens", readonlyToken, { name: "x" });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: "forbidden" } });
    expect((await call("DELETE", "/admin/api/actors/dev", readonlyToken)).statusCode).toBe(403);
    expect((await call("GET", "/admin/api/tokens", userToken)).statusCode).toBe(403);
    expect((await call("GET", "/admin/api/tokens", undefined)).statusCode).toBe(401);
    expect((await call("GET", "/admin/api/tokens", "tg_wrong")).statusCode).toBe(401);
  });

  it("validates strictly, naming the field", async () => {
    const cases: [unknown, string, string | undefined][] = [
      [{}, "`name`: required", "name"],
      [{ name: "" }, "`name`: must not be empty", "name"],
      [{ name: "x", role: "root" }, "`role`:", "role"],
      [{ name: "x", expiresIn: "soon" }, "`expiresIn`: `soon` is not a duration", "expiresIn"],
      [{ name: "x", expiresIn: "0s" }, "`expiresIn`: must be longer than zero", "expiresIn"],
      [{ name: "x", colour: "red" }, "`colour`: unknown field", "colour"],
      [{ name: "x", actorId: "bad id!" }, "`actorId`:", "actorId"],
      [[1], "the request body must be a JSON object", undefined],
    ];
    for (const [body, message, param] of cases) {
      const response = await call("POST", "/admin/api/tokens", adminToken, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      const error = (response.json() as { error: { message: string; param: string | null; code: string } })
        .error;
      expect(error.code).toBe("invalid_request");
      expect(error.message).toContain(message);
      expect(error.param ?? undefined).toBe(param);
    }
    const limits = await call("POST", "/admin/api/actors", adminToken, {
      name: "t",
      limits: { chat: { requests: 10 } },
    });
    expect(limits.json()).toMatchObject({ error: { param: "limits.chat.interval" } });
    const nothing = await call("PATCH", "/admin/api/actors/dev", adminToken, {});
    expect(nothing.json()).toMatchObject({ error: { message: expect.stringContaining("changes nothing") } });
    const unknownActor = await call("POST", "/admin/api/tokens", adminToken, { name: "x", actorId: "ghost" });
    expect(unknownActor.statusCode).toBe(404);
    expect(unknownActor.json()).toMatchObject({ error: { param: "actorId" } });
  });

  it("actors: create, read, patch, delete; config actors are read-only; every change audited", async () => {
    const created = await call("POST", "/admin/api/actors", adminToken, {
      id: "team-b",
      name: "Team B",
      allowedModels: ["anthropic::*"],
      limits: { chat: { requests: 100, interval: "1m", concurrent: 4 } },
      budget: { usd: 20, period: "week" },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: "team-b",
      role: "user",
      status: "active",
      source: "database",
      limits: { chat: { requests: 100, interval: "1m", concurrent: 4 } },
    });
    const again = await call("POST", "/admin/api/actors", adminToken, { id: "team-b", name: "dup" });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: { code: "conflict", param: "id", message: "an actor with id `team-b` already exists" },
    });

    const token = (
      await call("POST", "/admin/api/tokens", adminToken, { name: "b1", actorId: "team-b" })
    ).json() as {
      token: string;
    };
    secrets.push(token.token);
    const principal = await directory.authenticate(token.token);
    expect(principal?.actor?.limits).toEqual({ chat: { requests: 100, interval: 60_000, concurrent: 4 } });

    const patched = await call("PATCH", "/admin/api/actors/team-b", adminToken, { status: "disabled" });
    expect(patched.json()).toMatchObject({ status: "disabled" });
    expect(directory.authenticate(token.token)).toBeInstanceOf(Promise);
    expect(await directory.authenticate(token.token)).toBeUndefined();

    expect((await call("GET", "/admin/api/actors/team-b", readonlyToken)).json()).toMatchObject({
      name: "Team B",
    });
    const fromConfig = await call("PATCH", "/admin/api/actors/from-config", adminToken, { name: "x" });
    expect(fromConfig.statusCode).toBe(403);
    expect(fromConfig.json()).toMatchObject({ error: { message: expect.stringContaining("config file") } });

    expect((await call("DELETE", "/admin/api/actors/team-b", adminToken)).json()).toEqual({
      id: "team-b",
      deleted: true,
    });
    expect((await call("GET", "/admin/api/actors/team-b", adminToken)).statusCode).toBe(404);

    const audit = await store.audit.list({ limit: 1000 });
    const adminActor = (await directory.authenticate(adminToken))!.actorId;
    const mine = audit
      .filter((entry) => entry.actorId === adminActor)
      .map((entry) => `${entry.action} ${entry.target}`);
    expect(mine).toEqual(
      expect.arrayContaining(["actor-create team-b", "actor-update team-b", "actor-delete team-b"]),
    );
    expect(mine.filter((line) => line.startsWith("token-create"))).toHaveLength(3);
    expect(mine.filter((line) => line.startsWith("token-revoke"))).toHaveLength(1);
  });

  it("no token or hash in any response body other than its creation, in the audit log or in the log", async () => {
    const bodies = [
      (await call("GET", "/admin/api/tokens", adminToken)).body,
      (await call("GET", "/admin/api/actors", adminToken)).body,
      JSON.stringify(await store.audit.list({ limit: 1000 })),
      logs,
    ];
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      for (const body of bodies) {
        expect(body).not.toContain(secret);
        expect(body).not.toContain(hashToken(secret));
      }
    }
  });
});
