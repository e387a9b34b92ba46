import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { adminActorId, bootstrapAdmin } from "./admin-bootstrap.js";
import { StaticAuthenticator } from "./static-authenticator.js";
import { hashToken } from "./token.js";
import { loadStoredTokens } from "./token-index.js";

describe("admin bootstrap", () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore("sqlite::memory:");
    await store.migrate();
  });
  afterEach(() => store.close());

  it("generates a token once, stores only its hash, and authenticates it", async () => {
    const first = await bootstrapAdmin(store, {});
    expect(first.generatedToken).toMatch(/^tg_[A-Za-z0-9_-]{43}$/);
    const again = await bootstrapAdmin(store, {});
    expect(again.generatedToken).toBeUndefined();
    const tokens = await store.tokens.list({ actorId: adminActorId });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.tokenHash).toBe(hashToken(first.generatedToken!));
    expect(JSON.stringify(tokens)).not.toContain(first.generatedToken!);
    const authenticator = new StaticAuthenticator(await loadStoredTokens(store));
    expect(authenticator.authenticate(first.generatedToken!)).toMatchObject({
      actorId: "admin",
      role: "admin",
    });
    expect(authenticator.authenticate("tg_other")).toBeUndefined();
  });

  it("takes TOLLGATE_ADMIN_TOKEN instead of generating one", async () => {
    const result = await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_from_env_0123456789" });
    expect(result.generatedToken).toBeUndefined();
    await bootstrapAdmin(store, { TOLLGATE_ADMIN_TOKEN: "tg_from_env_0123456789" });
    const tokens = await store.tokens.list({ actorId: adminActorId });
    expect(tokens).toHaveLength(1);
    const authenticator = new StaticAuthenticator(await loadStoredTokens(store));
    expect(authenticator.authenticate("tg_from_env_0123456789")?.actorId).toBe("admin");
  });

  it("refuses expired and revoked tokens", async () => {
    const { generatedToken } = await bootstrapAdmin(store, {});
    const [token] = await store.tokens.list({ actorId: adminActorId });
    let now = Date.now();
    const authenticator = new StaticAuthenticator(
      (await loadStoredTokens(store)).map((known) => ({ ...known, expiresAt: now + 1000 })),
      () => now,
    );
    expect(authenticator.authenticate(generatedToken!)).toBeDefined();
    now += 1000;
    expect(authenticator.authenticate(generatedToken!)).toBeUndefined();
    await store.tokens.revoke(token!.id);
    expect(await loadStoredTokens(store)).toHaveLength(0);
  });
});
