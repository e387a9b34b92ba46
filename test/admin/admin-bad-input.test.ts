import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminGateway, type StoreKind, startAdminGateway } from "./admin-harness.js";

/**
 * Issue 15: on Postgres, NUL or a lone surrogate in an admin string, a control character in a path id, or a
 * duration too long for a date were 500s; an interval of "99999999999999999999d" was accepted and disabled the
 * actor. Each is now a 400 in the admin API's error shape naming the field, on both stores alike.
 */

const adminToken = "tg_admin_bad_input_0123456789abcdef";
const NUL = "\u0000";
const LONE = "\ud800";
const UNSTORABLE = "must not contain NUL or unpaired surrogates";

describe.each<StoreKind>(["postgres", "sqlite"])("admin API bad input (%s)", (kind) => {
  let admin: AdminGateway;
  beforeAll(async () => {
    admin = await startAdminGateway(kind, adminToken);
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
  });

  async function expect400(method: string, path: string, body: unknown, param: string, message: string) {
    const answer = await admin.call(method, path, adminToken, body);
    expect(answer.status, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`).toBe(400);
    expect(answer.json.error).toMatchObject({ code: "invalid_request", param });
    expect(answer.json.error.message).toContain(message);
  }

  it("refuses NUL and unpaired surrogates in body strings, naming the field", async () => {
    for (const bad of [`a${NUL}b`, `a${LONE}b`, "\udc00", `x${NUL}`]) {
      await expect400("POST", "/admin/api/tokens", { name: bad }, "name", UNSTORABLE);
      await expect400("POST", "/admin/api/actors", { name: bad }, "name", UNSTORABLE);
      await expect400(
        "POST",
        "/admin/api/actors",
        { name: "ok", allowedModels: ["anthropic::*", bad] },
        "allowedModels.1",
        UNSTORABLE,
      );
      await expect400("PATCH", "/admin/api/actors/admin", { name: bad }, "name", UNSTORABLE);
      await expect400(
        "PATCH",
        "/admin/api/actors/admin",
        { allowedModels: [bad] },
        "allowedModels.0",
        UNSTORABLE,
      );
    }
    // An emoji is a well-formed surrogate pair and is kept.
    const fine = await admin.call("POST", "/admin/api/actors", adminToken, { name: "team 🚀", id: "rocket" });
    expect(fine.status).toBe(201);
    expect((await admin.call("GET", "/admin/api/actors/rocket", adminToken)).json.name).toBe("team 🚀");
  });

  it("refuses NUL in query filters that reach the database, naming the field", async () => {
    await expect400("GET", "/admin/api/audit?actor=%00", undefined, "actor", UNSTORABLE);
    await expect400("GET", "/admin/api/audit?target=a%00", undefined, "target", UNSTORABLE);
    await expect400("GET", "/admin/api/usage?model=%00", undefined, "model", UNSTORABLE);
    await expect400("GET", "/admin/api/usage/events?actor=x%00", undefined, "actor", UNSTORABLE);
    await expect400("GET", "/admin/api/tokens?actorId=%00", undefined, "actorId", "actor ids may contain");
    await expect400("GET", "/admin/api/explain?actor=%00&model=x", undefined, "actor", UNSTORABLE);
    // A provider key's own check refuses anything but printable ASCII, NUL included.
    await expect400(
      "PUT",
      "/admin/api/providers/central/key",
      { key: `sk-${NUL}abc` },
      "key",
      "printable ASCII",
    );
  });

  it("answers ids with control characters in the path with a 400 naming the id", async () => {
    const message = "`id` in the path must not contain control characters";
    for (const id of ["%00", "a%00b", "%01", "%0a", "%7f"]) {
      await expect400("GET", `/admin/api/actors/${id}`, undefined, "id", message);
      await expect400("PATCH", `/admin/api/actors/${id}`, { name: "x" }, "id", message);
      await expect400("DELETE", `/admin/api/actors/${id}`, undefined, "id", message);
      await expect400("DELETE", `/admin/api/tokens/${id}`, undefined, "id", message);
      await expect400("GET", `/admin/api/providers/${id}`, undefined, "id", message);
      await expect400("PUT", `/admin/api/providers/${id}/key`, { key: "sk-x" }, "id", message);
    }
    // Ids that merely do not exist are still a 404.
    expect((await admin.call("GET", "/admin/api/actors/nobody", adminToken)).status).toBe(404);
    expect((await admin.call("DELETE", "/admin/api/tokens/tok_nope", adminToken)).status).toBe(404);
  });

  it("bounds durations: a token's expiry and a limit window at 3650d, naming the field", async () => {
    const bound = "must be at most 3650d (10 years)";
    await expect400(
      "POST",
      "/admin/api/tokens",
      { name: "x", expiresIn: "99999999999999d" },
      "expiresIn",
      bound,
    );
    await expect400("POST", "/admin/api/tokens", { name: "x", expiresIn: "3651d" }, "expiresIn", bound);
    await expect400(
      "POST",
      "/admin/api/tokens",
      { name: "x", expiresIn: "0s" },
      "expiresIn",
      "longer than zero",
    );
    await expect400(
      "POST",
      "/admin/api/actors",
      { name: "x", limits: { chat: { requests: 10, interval: "99999999999999999999d" } } },
      "limits.chat.interval",
      bound,
    );
    await expect400(
      "PATCH",
      "/admin/api/actors/rocket",
      { limits: { "*": { tokens: 10, interval: "87600000h" } } },
      "limits.*.interval",
      bound,
    );
    const longest = await admin.call("POST", "/admin/api/tokens", adminToken, {
      name: "decade",
      expiresIn: "3650d",
    });
    expect(longest.status).toBe(201);
    const listed = await admin.call("GET", `/admin/api/tokens?actorId=${longest.json.actorId}`, adminToken);
    const expiresAt = Date.parse(listed.json.tokens[0].expiresAt);
    expect(expiresAt - Date.now()).toBeGreaterThan(3649 * 86_400_000);
    const window = await admin.call("PATCH", "/admin/api/actors/rocket", adminToken, {
      limits: { chat: { requests: 10, interval: "3650d" } },
    });
    expect(window.status).toBe(200);
  });

  it("still serves after all of it", async () => {
    const actors = await admin.call("GET", "/admin/api/actors", adminToken);
    expect(actors.status).toBe(200);
    expect(actors.json.actors.map((actor: { id: string }) => actor.id)).toContain("rocket");
  });
});
