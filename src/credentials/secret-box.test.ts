import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MasterKeyRing } from "./master-key.js";
import { keyHint, openSecret, SecretBoxError, sealSecret } from "./secret-box.js";

const alice = { actorId: "alice", providerId: "openai" };
const PLAINTEXT = "sk-proj-a-very-distinctive-key-4242";

function failure(open: () => unknown): SecretBoxError {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error("expected the secret not to open");
}

/** Flips one bit of a base64 field. */
function flipped(base64: string, index: number): string {
  const bytes = Buffer.from(base64, "base64");
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString("base64");
}

describe("secret box", () => {
  const ring = new MasterKeyRing(randomBytes(32));

  it("opens what it sealed, for the same owner", () => {
    const sealed = sealSecret(ring, PLAINTEXT, alice);
    expect(sealed.keyId).toBe(ring.current.id);
    expect(Buffer.from(sealed.nonce, "base64")).toHaveLength(12);
    // The ciphertext is as long as the text, plus the 16-byte tag.
    expect(Buffer.from(sealed.ciphertext, "base64")).toHaveLength(PLAINTEXT.length + 16);
    expect(openSecret(ring, sealed, alice)).toBe(PLAINTEXT);
    const central = sealSecret(ring, "ünïcødé ✓", { actorId: null, providerId: "openai" });
    expect(openSecret(ring, central, { actorId: null, providerId: "openai" })).toBe("ünïcødé ✓");
  });

  it("seals the same text differently each time", () => {
    const first = sealSecret(ring, PLAINTEXT, alice);
    const second = sealSecret(ring, PLAINTEXT, alice);
    expect(second.nonce).not.toBe(first.nonce);
    expect(second.ciphertext).not.toBe(first.ciphertext);
  });

  it.each([
    ["another actor", { actorId: "bob", providerId: "openai" }],
    ["another provider", { actorId: "alice", providerId: "anthropic" }],
    ["the central key", { actorId: null, providerId: "openai" }],
    ["an actor named central, as the central key", { actorId: "central", providerId: "openai" }],
  ])("does not open once moved to %s", (_name, owner) => {
    const sealedFor = owner.actorId === "central" ? { actorId: null, providerId: "openai" } : alice;
    const sealed = sealSecret(ring, PLAINTEXT, sealedFor);
    const error = failure(() => openSecret(ring, sealed, owner));
    expect(error.code).toBe("undecryptable");
  });

  it("does not open with a flipped byte in the ciphertext, the tag or the nonce, or when truncated", () => {
    const sealed = sealSecret(ring, PLAINTEXT, alice);
    const length = Buffer.from(sealed.ciphertext, "base64").length;
    for (const altered of [
      { ...sealed, ciphertext: flipped(sealed.ciphertext, 0) },
      { ...sealed, ciphertext: flipped(sealed.ciphertext, length - 1) },
      { ...sealed, nonce: flipped(sealed.nonce, 5) },
      { ...sealed, ciphertext: Buffer.from(sealed.ciphertext, "base64").subarray(0, 10).toString("base64") },
      { ...sealed, nonce: "" },
    ]) {
      expect(failure(() => openSecret(ring, altered, alice)).code).toBe("undecryptable");
    }
  });

  it("names an unknown key id, and nothing secret", () => {
    const other = new MasterKeyRing(randomBytes(32));
    const sealed = sealSecret(other, PLAINTEXT, alice);
    const error = failure(() => openSecret(ring, sealed, alice));
    expect(error).toMatchObject({ code: "unknown-key", keyId: other.current.id });
    expect(error.message).toContain(other.current.id);
    for (const secret of [PLAINTEXT, sealed.ciphertext, sealed.nonce, ring.current.key.toString("base64")]) {
      expect(error.message).not.toContain(secret);
    }
    const undecryptable = failure(() => openSecret(ring, { ...sealed, keyId: ring.current.id }, alice));
    expect(undecryptable.message).not.toContain(sealed.ciphertext);
  });

  it("opens old secrets with a ring that holds the previous key, and seals with the current one", () => {
    const oldKey = randomBytes(32);
    const old = new MasterKeyRing(oldKey);
    const sealed = sealSecret(old, PLAINTEXT, alice);
    const rotated = new MasterKeyRing(randomBytes(32), [oldKey]);
    expect(openSecret(rotated, sealed, alice)).toBe(PLAINTEXT);
    expect(sealSecret(rotated, PLAINTEXT, alice).keyId).toBe(rotated.current.id);
    expect(rotated.current.id).not.toBe(old.current.id);
  });
});

describe("keyHint", () => {
  it.each([
    ["sk-ant-api03-abcdefWXYZ", "WXYZ"],
    ["123456789012", "9012"],
    ["12345678901", "901"],
    ["123456", "56"],
    ["abc", "c"],
    ["ab", ""],
    ["", ""],
    ["ключ-ключ-ключ-ÿ✓", "ч-ÿ✓"],
  ])("%j → %j", (key, hint) => {
    expect(keyHint(key)).toBe(hint);
  });
});
