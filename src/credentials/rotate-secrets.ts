import { randomBytes } from "node:crypto";
import { bumpRevision } from "../auth/revision.js";
import type { Store } from "../store/index.js";
import {
  type LoadedMasterKeys,
  MasterKeyError,
  type MasterKeyRing,
  type UnopenedSecret,
  unopenedError,
} from "./master-key.js";
import { createKeyFile, promoteNextKeyFile, readKeyFile, siblingKeyFiles } from "./master-key-file.js";
import { openSecret, SecretBoxError, sealSecret } from "./secret-box.js";

export interface ResealSummary {
  /** Stored secrets; every one opened. */
  readonly secrets: number;
  /** How many were sealed again (those not already under the current key). */
  readonly resealed: number;
  /** The key id every secret is sealed with now. */
  readonly keyId: string;
  /** How many secrets each other key id held before. */
  readonly from: Readonly<Record<string, number>>;
}

/**
 * Seals every stored secret that is not under the ring's current key again with it, in one transaction that
 * also bumps the token revision (running replicas reload their keys) and appends a `secrets-rotate` audit
 * entry. When any secret does not open, it throws a MasterKeyError naming the key ids and changes nothing.
 */
export async function resealSecrets(
  store: Store,
  ring: MasterKeyRing,
  at = new Date(),
): Promise<ResealSummary> {
  const keyId = ring.current.id;
  return store.transaction(async (tx) => {
    const records = await tx.providerKeys.list();
    const unopened: UnopenedSecret[] = [];
    const opened: { record: (typeof records)[number]; plaintext: string }[] = [];
    for (const record of records) {
      try {
        opened.push({ record, plaintext: openSecret(ring, record.secret, record) });
      } catch (error) {
        if (!(error instanceof SecretBoxError)) throw error;
        const { actorId, providerId } = record;
        unopened.push({ actorId, providerId, keyId: record.secret.keyId, code: error.code });
      }
    }
    if (unopened.length > 0) throw unopenedError(unopened, ring);
    const from: Record<string, number> = {};
    for (const { record, plaintext } of opened) {
      if (record.secret.keyId === keyId) continue;
      const sealed = sealSecret(ring, plaintext, record);
      // False when the key was replaced since it was read: the newer key stays (sealed by whoever saved it).
      if (!(await tx.providerKeys.reseal(record.actorId, record.providerId, record.secret, sealed))) continue;
      from[record.secret.keyId] = (from[record.secret.keyId] ?? 0) + 1;
    }
    const summary: ResealSummary = {
      secrets: records.length,
      resealed: Object.values(from).reduce((sum, count) => sum + count, 0),
      keyId,
      from,
    };
    await bumpRevision(tx.settings);
    await tx.audit.append({ at, actorId: null, action: "secrets-rotate", details: summary });
    return summary;
  });
}

export interface RotationResult extends ResealSummary {
  /** `key-file`: a new key was generated and replaced the file; `configured`: secrets moved to the set key. */
  readonly mode: "key-file" | "configured";
  /** The generated key file (mode `key-file`), which now holds the new key. */
  readonly keyFile?: string;
  /** Where the replaced key is kept (mode `key-file`). */
  readonly previousKeyFile?: string;
}

/**
 * `tollgate secrets rotate`. With the generated key file: a new key is written to `master.key.next` (or one a
 * crashed rotation left there is reused: secrets may already be sealed with it), the secrets are re-sealed
 * with it, then it replaces `master.key`, whose old key is kept in `master.key.previous`. With a configured key:
 * the secrets sealed under `previousKeys` are re-sealed with `masterKey`.
 */
export async function rotateMasterKey(store: Store, keys: LoadedMasterKeys): Promise<RotationResult> {
  const { ring } = keys;
  if (ring === undefined) {
    throw new MasterKeyError(
      "no master key is configured, so there is nothing to rotate: set secrets.masterKey (or TOLLGATE_MASTER_KEY)",
    );
  }
  if (keys.source !== "key-file" || keys.keyFile === undefined) {
    return { mode: "configured", ...(await resealSecrets(store, ring)) };
  }
  const file = keys.keyFile;
  const { next, previous } = siblingKeyFiles(file);
  const nextKey = await readOrCreate(next);
  const summary = await resealSecrets(store, ring.withCurrent(nextKey));
  await promoteNextKeyFile(file);
  return { mode: "key-file", ...summary, keyFile: file, previousKeyFile: previous };
}

async function readOrCreate(file: string): Promise<Buffer> {
  const existing = await readKeyFile(file);
  if (existing !== undefined) return existing.key;
  await createKeyFile(file, randomBytes(32));
  const created = await readKeyFile(file);
  if (created === undefined) throw new Error(`the key file ${file} vanished as it was created`);
  return created.key;
}
