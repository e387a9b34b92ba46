import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminAnswer, type AdminGateway, type StoreKind, startAdminGateway } from "./admin-harness.js";

/**
 * Issue 15: on Postgres, 20 concurrent token creates with one name gave 500s, and concurrent actor creates
 * answered 400 naming an id the caller never sent (a read-then-insert race on the derived actor id). Each
 * concurrent request must get a correct answer: created, or a 409 naming what clashed; never a 500.
 */

const adminToken = "tg_admin_concurrency_0123456789abcdef";
const N = 20;

describe.each<StoreKind>(["postgres", "sqlite"])("admin API under concurrency (%s)", (kind) => {
  let admin: AdminGateway;
  beforeAll(async () => {
    admin = await startAdminGateway(kind, adminToken);
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
  });

  const all = (method: string, path: string, body?: (index: number) => unknown): Promise<AdminAnswer[]> =>
    Promise.all(Array.from({ length: N }, (_, index) => admin.call(method, path, adminToken, body?.(index))));

  it("20 token creates with one name: each creates its own actor and token", async () => {
    const answers = await all("POST", "/admin/api/tokens", () => ({ name: "CI bot" }));
    expect(answers.map((answer) => answer.status)).toEqual(Array(N).fill(201));
    const actorIds = answers.map((answer) => answer.json.actorId as string);
    expect(new Set(actorIds).size).toBe(N);
    expect(actorIds).toContain("ci-bot");
    for (const id of actorIds) expect(id).toMatch(/^ci-bot(-[0-9a-f]{6})?$/);
    const listed = await admin.call("GET", "/admin/api/tokens", adminToken);
    const mine = listed.json.tokens.filter((token: { name: string }) => token.name === "CI bot");
    expect(mine).toHaveLength(N);
  });

  it("20 token creates for one existing actor: all created", async () => {
    const answers = await all("POST", "/admin/api/tokens", () => ({ name: "laptop", actorId: "ci-bot" }));
    expect(answers.map((answer) => answer.status)).toEqual(Array(N).fill(201));
    expect(new Set(answers.map((answer) => answer.json.id)).size).toBe(N);
  });

  it("20 actor creates with one name and no id: each gets its own id, none names another's", async () => {
    const answers = await all("POST", "/admin/api/actors", () => ({ name: "Team X" }));
    expect(answers.map((answer) => answer.status)).toEqual(Array(N).fill(201));
    const ids = answers.map((answer) => answer.json.id as string);
    expect(new Set(ids).size).toBe(N);
    for (const id of ids) expect(id).toMatch(/^team-x(-[0-9a-f]{6})?$/);
  });

  it("20 actor creates with one id: one 201, the others a 409 naming that id", async () => {
    const answers = await all("POST", "/admin/api/actors", (index) => ({
      id: "shared",
      name: `try ${index}`,
    }));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, ...Array(N - 1).fill(409)]);
    for (const answer of answers.filter((one) => one.status === 409)) {
      expect(answer.json.error).toMatchObject({
        code: "conflict",
        param: "id",
        message: "an actor with id `shared` already exists",
      });
    }
  });

  it("20 deletes of one actor: one deletes it, the others find nothing", async () => {
    const answers = await all("DELETE", "/admin/api/actors/shared");
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array(N - 1).fill(404)]);
    const audit = await admin.call("GET", "/admin/api/audit?action=actor-delete&target=shared", adminToken);
    expect(audit.json.entries).toHaveLength(1);
  });

  it("token creates racing the deletion of their actor: created or 404, never a 500", async () => {
    await admin.call("POST", "/admin/api/actors", adminToken, { id: "doomed", name: "doomed" });
    const answers = await Promise.all([
      ...Array.from({ length: N - 1 }, () =>
        admin.call("POST", "/admin/api/tokens", adminToken, { name: "late", actorId: "doomed" }),
      ),
      admin.call("DELETE", "/admin/api/actors/doomed", adminToken),
    ]);
    for (const answer of answers) expect([200, 201, 404], answer.text).toContain(answer.status);
  });
});
