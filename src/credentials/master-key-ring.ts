import { createHmac } from "node:crypto";
import { inspect } from "node:util";

export interface MasterKey {
  /** A fingerprint of the key, safe to store and show. */
  readonly id: string;
  /** 32 bytes; not enumerable, so logging or serialising the object does not print it. */
  readonly key: Buffer;
}

/** The first 16 hex digits of HMAC-SHA256(key, label): names a key without revealing anything of it. */
export function masterKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("tollgate master key id").digest("hex").slice(0, 16);
}

function masterKey(key: Buffer): MasterKey {
  if (key.length !== 32) throw new RangeError(`a master key is 32 bytes, got ${key.length}`);
  const entry = { id: masterKeyId(key) } as MasterKey;
  Object.defineProperty(entry, "key", { value: Buffer.from(key), enumerable: false });
  return Object.freeze(entry);
}

/** The key that seals, and every key that may open (the current one, and older ones during a rotation). */
export class MasterKeyRing {
  readonly current: MasterKey;
  readonly #byId = new Map<string, MasterKey>();

  constructor(current: Buffer, others: readonly Buffer[] = []) {
    this.current = masterKey(current);
    for (const key of [current, ...others]) {
      const entry = masterKey(key);
      if (!this.#byId.has(entry.id)) this.#byId.set(entry.id, entry);
    }
  }

  /** Any key of the ring, by id. */
  key(id: string): MasterKey | undefined {
    return this.#byId.get(id);
  }

  /** Every key id, the current one first. */
  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** The same keys with `key` sealing from now on (a rotation's new key). */
  withCurrent(key: Buffer): MasterKeyRing {
    return new MasterKeyRing(
      key,
      [...this.#byId.values()].map((entry) => entry.key),
    );
  }

  toJSON(): { current: string; ids: string[] } {
    return { current: this.current.id, ids: this.ids };
  }

  [inspect.custom](): string {
    return `MasterKeyRing { current: ${this.current.id}, ids: [${this.ids.join(", ")}] }`;
  }
}
