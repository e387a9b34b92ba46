import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { ActorDirectory } from "./actor-directory.js";
import { adminActorId, bootstrapAdmin } from "./admin-bootstrap.js";
import { hashToken } from "./token.js";

describe("admin bootstrap", () => {
  let store: Store;
  let directory: ActorDirectory | undefined;
  beforeEach(async () => {
    store = await openStore("sqlite::memory:");
    await store.migrate();
  });
  afterEach(async () => {
    await directory?.close();
    directory = undefined;
    await store.close();
  });

  async function authenticate(token: string) {
    directory ??= new ActorDirectory({ store, actors: { list: [], sources: [] } });
    await directory.start();
    await directory.refresh();
    return directory.authenticate(token);
  }

  it("generates a token once, stores only its hash, and authenticates it as the admin actor", async () => {
    const first = await bootstrapAdmin(store, {});
    expect(first.generatedToken).toMatch(/^tg_[A-Za-z0-9_-]{43}$/);
    const again = await bootstrapAdmin(store, {});
    expect(again.generatedToken).toBeUndefined();
    const tokens = await store.tokens.list({ actorId: adminActorId });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.tokenHash).toBe(hashToken(first.generatedToken!));
    expect(JSON.stringify(tokens)).not.toContain(first.generatedToken!);
    expect(await authenticate(first.generatedToken!)).toMatchObject({ actorId: "admin", role: "admin" });
    expect(await authenticate("tg_other")).toBeUndefined();
  });

  it("takes TOLLGATE_ADMIN_TOKEN instead of generating one", async () => {
    const result = await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_from_env_0123456789" });
    expect(result.generatedToken).toBeUndefined();
    await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_from_env_0123456789" });
    expect(await store.tokens.list({ actorId: adminActorId })).toHaveLength(1);
    expect((await authenticate("tg_from_env_0123456789"))?.actorId).toBe("admin");
  });

  it("replaces the previous TOLLGATE_ADMIN_TOKEN when the value changes, revoking it with an audit entry", async () => {
    await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_first_value_0123456789" });
    const generatedBefore = await bootstrapAdmin(store, {});
    expect(generatedBefore.generatedToken).toBeUndefined();
    await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_second_value_0123456789" });
    expect(await authenticate("tg_first_value_0123456789")).toBeUndefined();
    expect((await authenticate("tg_second_value_0123456789"))?.role).toBe("admin");
    // Both may be created within one millisecond: their listing order is not the point.
    const tokens = await store.tokens.list({ actorId: adminActorId });
    const active = new Map(tokens.map((token) => [token.tokenHash, token.revokedAt === null]));
    expect(active).toEqual(
      new Map([
        [hashToken("tg_first_value_0123456789"), false],
        [hashToken("tg_second_value_0123456789"), true],
      ]),
    );
    const first = tokens.find((token) => token.tokenHash === hashToken("tg_first_value_0123456789"));
    const [revocation] = await store.audit.list({ action: "token-revoke" });
    expect(revocation).toMatchObject({
      actorId: null,
      target: first!.id,
      details: { via: "admin-bootstrap", reason: "TOLLGATE_ADMIN_TOKEN changed" },
    });
    // The same value again changes nothing.
    await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_second_value_0123456789" });
    expect(await store.audit.list({ action: "token-revoke" })).toHaveLength(1);
  });

  it("keeps a generated token, and a value revoked on purpose stays revoked without failing the start", async () => {
    const { generatedToken } = await bootstrapAdmin(store, {});
    await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_first_value_0123456789" });
    expect((await authenticate(generatedToken!))?.actorId).toBe(adminActorId);
    const first = (await store.tokens.list({ actorId: adminActorId })).find(
      (token) => token.name === "TOLLGATE_ADMIN_TOKEN",
    )!;
    await store.tokens.revoke(first.id);
    // Before: the unique hash made this start fail; now it says the value is unusable and changes nothing.
    const again = await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_first_value_0123456789" });
    expect(again).toEqual({ environmentTokenUnusable: true });
    expect(await store.tokens.findByHash(hashToken("tg_first_value_0123456789"))).toBeUndefined();
    expect((await authenticate(generatedToken!))?.actorId).toBe(adminActorId);
  });

  it("audits the actor and token it creates as the system's, once, without the token", async () => {
    await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_from_env_0123456789" });
    await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_from_env_0123456789" });
    const entries = (await store.audit.list()).reverse();
    expect(entries.map(({ actorId, action, target }) => ({ actorId, action, target }))).toEqual([
      { actorId: null, action: "actor-create", target: adminActorId },
      { actorId: null, action: "token-create", target: expect.stringMatching(/^tok_/) },
    ]);
    expect(entries[1]!.details).toEqual({
      after: { actorId: adminActorId, name: "TOLLGATE_ADMIN_TOKEN", expiresAt: null },
      via: "admin-bootstrap",
    });
    const text = JSON.stringify(entries);
    expect(text).not.toContain("tg_from_env_0123456789");
    expect(text).not.toContain(hashToken("tg_from_env_0123456789"));
  });
});
