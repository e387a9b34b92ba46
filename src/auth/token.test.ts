import { describe, expect, it } from "vitest";
import { presentedToken } from "./principal.js";
import { roleAllows } from "./roles.js";
import { generateToken, hashToken, lookupForm, TokenHashCache, tokenFamily, tokenHint } from "./token.js";

describe("tokens", () => {
  it("are tg_ and 32 random bytes (base64url), different every time", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateToken));
    expect(tokens.size).toBe(1000);
    for (const token of [...tokens].slice(0, 20)) {
      expect(token).toMatch(/^tg_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(3), "base64url")).toHaveLength(32);
    }
  });

  it("hash to lowercase SHA-256 hex, the same as config's {sha256}", () => {
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashToken("tg_x")).not.toBe(hashToken("tg_y"));
    expect(tokenHint("tg_abcdefgh")).toBe("efgh");
  });

  it("are read from Authorization: Bearer, x-api-key or api-key", () => {
    expect(presentedToken({ authorization: "Bearer tg_1" })).toBe("tg_1");
    expect(presentedToken({ authorization: "bearer  tg_2 " })).toBe("tg_2");
    expect(presentedToken({ "x-api-key": "tg_3" })).toBe("tg_3");
    expect(presentedToken({ "api-key": "tg_4" })).toBe("tg_4");
    expect(presentedToken({ authorization: "Basic abc" })).toBeUndefined();
    expect(presentedToken({})).toBeUndefined();
  });
});

describe("roles", () => {
  it("admin does everything, readonly reads the admin API, user calls the client routes", () => {
    const table = (["admin", "readonly", "user"] as const).map((role) => [
      role,
      roleAllows(role, "client"),
      roleAllows(role, "admin:read"),
      roleAllows(role, "admin:write"),
    ]);
    expect(table).toEqual([
      ["admin", true, true, true],
      ["readonly", false, true, false],
      ["user", true, false, false],
    ]);
  });
});

describe("TokenHashCache", () => {
  it("keeps only tokens of a plausible length, so garbage tokens cannot fill memory", () => {
    const cache = new TokenHashCache();
    const long = `tg_${"x".repeat(15_000)}`;
    expect(cache.hash(long)).toBe(hashToken(long));
    expect(cache.size).toBe(0);
    const token = generateToken();
    expect(cache.hash(token)).toBe(hashToken(token));
    expect(cache.size).toBe(1);
  });

  it("is cleared when full rather than growing", () => {
    const cache = new TokenHashCache(3);
    for (let index = 0; index < 10; index++) cache.hash(`tg_${index}`);
    expect(cache.size).toBeLessThanOrEqual(3);
  });

  it("peeks without keeping, so tokens from a blocked address cannot churn it", () => {
    const cache = new TokenHashCache();
    const known = generateToken();
    cache.hash(known);
    expect(cache.peek(known)).toBe(hashToken(known));
    for (let index = 0; index < 100; index++)
      expect(cache.peek(`tg_${index}`)).toBe(hashToken(`tg_${index}`));
    expect(cache.size).toBe(1);
  });
});

describe("Cody tokens", () => {
  const content = "0123456789abcdef".repeat(4);
  it("slk_ and sgs_ + 64 hex are the Cody family; anything else is Tollgate's", () => {
    expect(tokenFamily(`slk_${content}`)).toBe("cody");
    expect(tokenFamily(`sgs_${content}`)).toBe("cody");
    expect(tokenFamily(`slk_${content.slice(1)}`)).toBe("tollgate");
    expect(tokenFamily(`slk_${content.slice(1)}z`)).toBe("tollgate");
    expect(tokenFamily(`sgd_${content}`)).toBe("tollgate");
    expect(tokenFamily("tg_abc")).toBe("tollgate");
    expect(tokenFamily(undefined)).toBe("tollgate");
  });

  it("a legacy sgs_ token is looked up as the slk_ token with the same content", () => {
    expect(hashToken(`sgs_${content}`)).toBe(hashToken(`slk_${content}`));
    expect(new TokenHashCache().hash(`sgs_${content}`)).toBe(hashToken(`slk_${content}`));
    expect(lookupForm("sgs_short")).toBe("sgs_short");
  });
});
