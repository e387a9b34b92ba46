import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminGateway, type StoreKind, startAdminGateway } from "./admin-harness.js";

/**
 * Issue 15 (security): nobody may remove or demote the last admin through the admin API — delete it, change its
 * role, disable it, or revoke its last usable token — which would lock every administrator out. Refused with a
 * 409 that says why, also when two admins demote each other at the same moment (Postgres: the admins are locked).
 */

const bootstrapToken = "tg_admin_last_admin_0123456789abcdef";
const LAST = "is the last admin; create another admin first";

describe.each<StoreKind>(["postgres", "sqlite"])("the last admin (%s)", (kind) => {
  let admin: AdminGateway;
  beforeAll(async () => {
    admin = await startAdminGateway(kind, bootstrapToken);
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
  });

  const call = (method: string, path: string, body?: unknown, token = bootstrapToken) =>
    admin.call(method, path, token, body);

  async function bootstrapTokenId(): Promise<string> {
    const listed = await call("GET", "/admin/api/tokens?actorId=admin");
    return listed.json.tokens.find((token: { name: string }) => token.name === "TOLLGATE_ADMIN_TOKEN").id;
  }

  it("the TOLLGATE_ADMIN_TOKEN admin alone: cannot be deleted, demoted, disabled or lose its token", async () => {
    for (const [method, path, body] of [
      ["DELETE", "/admin/api/actors/admin", undefined],
      ["PATCH", "/admin/api/actors/admin", { role: "readonly" }],
      ["PATCH", "/admin/api/actors/admin", { role: "user", name: "still me" }],
      ["PATCH", "/admin/api/actors/admin", { status: "disabled" }],
    ] as const) {
      const answer = await call(method, path, body);
      expect(answer.status, `${method} ${JSON.stringify(body)}`).toBe(409);
      expect(answer.json.error).toMatchObject({ code: "conflict", message: `actor \`admin\` ${LAST}` });
    }
    const tokenId = await bootstrapTokenId();
    const revoke = await call("DELETE", `/admin/api/tokens/${tokenId}`);
    expect(revoke.status).toBe(409);
    expect(revoke.json.error.message).toBe(
      `token \`${tokenId}\` is the last usable token of the last admin (\`admin\`); create another admin token first`,
    );
    // Nothing changed, and the token still works.
    const actor = await call("GET", "/admin/api/actors/admin");
    expect(actor.json).toMatchObject({ role: "admin", status: "active", name: "Administrator" });
    // Changes that keep it an admin are fine.
    expect((await call("PATCH", "/admin/api/actors/admin", { name: "Root", role: "admin" })).status).toBe(
      200,
    );
  });

  it("an admin without a usable token does not count; a second token or admin unlocks the change", async () => {
    const created = await call("POST", "/admin/api/actors", {
      id: "tokenless",
      name: "no token",
      role: "admin",
    });
    expect(created.status).toBe(201);
    expect((await call("PATCH", "/admin/api/actors/admin", { role: "user" })).status).toBe(409);

    const second = await call("POST", "/admin/api/tokens", { name: "spare", actorId: "admin" });
    expect(second.status).toBe(201);
    // With two tokens, revoking one is fine; the other is then the last.
    expect((await call("DELETE", `/admin/api/tokens/${second.json.id}`)).status).toBe(200);
    expect((await call("DELETE", `/admin/api/tokens/${await bootstrapTokenId()}`)).status).toBe(409);

    const bob = await call("POST", "/admin/api/tokens", { name: "bob", actorId: "tokenless" });
    expect(bob.status).toBe(201);
    // Now `tokenless` can sign in as an admin: `admin` may be demoted, and then `tokenless` is the last one.
    expect((await call("PATCH", "/admin/api/actors/admin", { role: "readonly" })).status).toBe(200);
    const self = await call("DELETE", "/admin/api/actors/tokenless", undefined, bob.json.token);
    expect(self.status).toBe(409);
    expect(self.json.error.message).toBe(`actor \`tokenless\` ${LAST}`);
    expect((await call("PATCH", "/admin/api/actors/admin", { role: "admin" }, bob.json.token)).status).toBe(
      200,
    );
    expect((await call("DELETE", "/admin/api/actors/tokenless")).status).toBe(200);
  });

  it("two admins demoting or disabling each other at once: one wins, one admin is left", async () => {
    for (const change of [{ role: "user" }, { status: "disabled" }, "delete", "revoke"] as const) {
      const a = await call("POST", "/admin/api/tokens", { name: "Admin A", role: "admin" });
      const b = await call("POST", "/admin/api/tokens", { name: "Admin B", role: "admin" });
      expect([a.status, b.status]).toEqual([201, 201]);
      // Take the bootstrap admin out of the picture so A and B are the only admins.
      expect(
        (await call("PATCH", "/admin/api/actors/admin", { role: "readonly" }, a.json.token)).status,
      ).toBe(200);

      const hit = (by: typeof a, target: typeof a) =>
        change === "delete"
          ? call("DELETE", `/admin/api/actors/${target.json.actorId}`, undefined, by.json.token)
          : change === "revoke"
            ? call("DELETE", `/admin/api/tokens/${target.json.id}`, undefined, by.json.token)
            : call("PATCH", `/admin/api/actors/${target.json.actorId}`, change, by.json.token);
      const answers = await Promise.all([hit(a, b), hit(b, a)]);
      // The loser is refused as the last admin (409), or, when the winner's change reached the directory
      // before its request was authenticated, as no longer an admin (403) or signed in (401). Never both changed.
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.filter((status) => status === 200),
        JSON.stringify(answers.map((x) => x.json)),
      ).toHaveLength(1);
      expect(statuses.filter((status) => [401, 403, 409].includes(status))).toHaveLength(1);

      const survivor = answers[0]!.status === 200 ? a : b;
      if (change === "revoke") {
        const tokens = (await call("GET", "/admin/api/tokens", undefined, bootstrapToken)).json.tokens as {
          id: string;
          state: string;
        }[];
        const usable = tokens.filter(
          (token) => [a.json.id, b.json.id].includes(token.id) && token.state === "active",
        );
        expect(usable.map((token) => token.id)).toEqual([survivor.json.id]);
      } else {
        const actors = (await call("GET", "/admin/api/actors", undefined, bootstrapToken)).json.actors as {
          id: string;
          role: string;
          status: string;
        }[];
        const admins = actors.filter((actor) => actor.role === "admin" && actor.status === "active");
        expect(admins.map((actor) => actor.id)).toEqual([survivor.json.actorId]);
      }
      // The survivor still administers: restore the bootstrap admin, clear the others for the next round.
      expect(
        (await call("PATCH", "/admin/api/actors/admin", { role: "admin" }, survivor.json.token)).status,
      ).toBe(200);
      for (const one of [a, b]) {
        const answer = await call("DELETE", `/admin/api/actors/${one.json.actorId}`);
        expect([200, 404]).toContain(answer.status);
      }
    }
  });
});
