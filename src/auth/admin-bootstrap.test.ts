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
