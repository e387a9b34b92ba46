import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from "node:crypto";
import type { Checksum, SourceData } from "@smithy/types";

/**
 * SHA-256 and HMAC-SHA256 for SigV4 with the HMAC keys kept as KeyObjects. SigV4 makes its HMACs with keys that
 * change once a day (the derived signing key) or never (the secret); Node checks a raw key on every `createHmac`
 * (about 12 µs a call on Node 24, four times a KeyObject's), which made signing cost ~155 µs per request
 * (`npm run bench -- --scenarios bedrock-rate`). The cache is small: one credential set needs a handful of keys.
 */
const MAX_KEYS = 64;
const keys = new Map<string, KeyObject>();

function bytes(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

function keyObject(secret: SourceData): KeyObject {
  const raw = bytes(secret);
  const id = raw.toString("latin1");
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = createSecretKey(raw);
    keys.set(id, key);
  }
  return key;
}

export class KeyedSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.start();
  }

  private start(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", keyObject(this.secret));
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }

  reset(): void {
    this.hash = this.start();
  }
}
