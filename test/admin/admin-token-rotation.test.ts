import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminGateway, startAdminGateway } from "./admin-harness.js";

/**
 * Issue 15: after restarting with a new TOLLGATE_ADMIN_TOKEN, the old value still worked as an admin token. A
 * real gateway on Postgres, restarted with another value: the old one is refused, the new one works, and the
 * audit log says the system revoked the old one because the variable changed.
 */

const first = "tg_rotation_first_0123456789abcdef";
const second = "tg_rotation_second_0123456789abcdef";

describe("TOLLGATE_ADMIN_TOKEN rotation across a restart (postgres)", () => {
  let admin: AdminGateway;
  beforeAll(async () => {
    admin = await startAdminGateway("postgres", first);
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
  });

  it("revokes the old value when the new one comes in", async () => {
    expect((await admin.call("GET", "/admin/api/actors", first)).status).toBe(200);
    await admin.restart(second);
    const old = await admin.call("GET", "/admin/api/actors", first);
    expect(old.status).toBe(401);
    expect((await admin.call("GET", "/admin/api/actors", second)).status).toBe(200);

    const audit = await admin.call("GET", "/admin/api/audit?action=token-revoke", second);
    expect(audit.json.entries).toEqual([
      expect.objectContaining({
        actorId: null,
        details: expect.objectContaining({ via: "admin-bootstrap", reason: "TOLLGATE_ADMIN_TOKEN changed" }),
      }),
    ]);
    expect(audit.text).not.toContain(first);

    // Back to the first value: it was revoked, so it stays refused and the start does not fail.
    await admin.restart(first);
    expect((await admin.call("GET", "/admin/api/actors", first)).status).toBe(401);
    expect((await admin.call("GET", "/admin/api/actors", second)).status).toBe(200);
  });
});
