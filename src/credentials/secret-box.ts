import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { EncryptedSecret } from "../store/index.js";
import type { MasterKeyRing } from "./master-key-ring.js";

/** Whose secret it is: bound into the ciphertext, so a row copied to another owner or provider does not open. */
export interface SecretOwner {
  /** `null` for a provider's central key. */
  readonly actorId: string | null;
  readonly providerId: string;
}

export type SecretBoxErrorCode =
  /** Sealed under a master key the ring does not hold. */
  | "unknown-key"
  /** The key is known but authentication failed: altered, truncated, or moved to another owner. */
  | "undecryptable";

/** Names the key id, never the secret or the key. */
export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
  readonly code: SecretBoxErrorCode;
  readonly keyId: string;

  constructor(code: SecretBoxErrorCode, keyId: string, message: string) {
    super(message);
    this.code = code;
    this.keyId = keyId;
  }
}

const ALGORITHM = "aes-256-gcm";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bumped if the sealing ever changes, so old and new secrets cannot be confused. */
const CONTEXT = "tollgate/provider-key/v1\u0000";

/** JSON keeps `null` (central) apart from an actor literally named "central", and any id from any other. */
function associatedData(owner: SecretOwner): Buffer {
  return Buffer.from(CONTEXT + JSON.stringify([owner.actorId, owner.providerId]), "utf8");
}

/** AES-256-GCM under the ring's current key, with a fresh random nonce: two seals of one text differ. */
export function sealSecret(ring: MasterKeyRing, plaintext: string, owner: SecretOwner): EncryptedSecret {
  const { id, key } = ring.current;
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(owner));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { keyId: id, nonce: nonce.toString("base64"), ciphertext: ciphertext.toString("base64") };
}

/** The plaintext; throws SecretBoxError when the key is not in the ring or the secret does not authenticate. */
export function openSecret(ring: MasterKeyRing, secret: EncryptedSecret, owner: SecretOwner): string {
  const masterKey = ring.key(secret.keyId);
  if (masterKey === undefined) {
    throw new SecretBoxError(
      "unknown-key",
      secret.keyId,
      `the secret was sealed with master key id ${secret.keyId}, which is not loaded (loaded: ${ring.ids.join(", ")})`,
    );
  }
  const nonce = Buffer.from(secret.nonce, "base64");
  const sealed = Buffer.from(secret.ciphertext, "base64");
  const undecryptable = () =>
    new SecretBoxError(
      "undecryptable",
      secret.keyId,
      `the secret sealed with master key id ${secret.keyId} does not decrypt: it was altered or belongs to another owner or provider`,
    );
  if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) throw undecryptable();
  const decipher = createDecipheriv(ALGORITHM, masterKey.key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(owner));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw undecryptable();
  }
}

/**
 * What may be shown of a key: its last four characters, but never more than a third of it, so a short key
 * (a test key, a mistake) is not given away.
 */
export function keyHint(plaintext: string): string {
  const characters = [...plaintext];
  const shown = Math.min(4, Math.floor(characters.length / 3));
  return shown === 0 ? "" : characters.slice(-shown).join("");
}
