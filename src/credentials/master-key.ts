import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import type { TollgateConfig } from "../config/index.js";
import { decodeMasterKey, MASTER_KEY_ADVICE } from "../config/master-key-text.js";
import { parseStorageUrl, type StoreRepositories } from "../store/index.js";
import { createKeyFile, KEY_FILE_NAME, readKeyFile, siblingKeyFiles } from "./master-key-file.js";
import { MasterKeyRing } from "./master-key-ring.js";
import { openSecret, SecretBoxError } from "./secret-box.js";

export { type MasterKey, MasterKeyRing, masterKeyId } from "./master-key-ring.js";

/** A master key that is missing, malformed or does not open the stored secrets: fix the setting it names. */
export class MasterKeyError extends Error {
  override readonly name = "MasterKeyError";
}

/** Where the current key came from. */
export type MasterKeySource =
  | "secrets.masterKey"
  | "secrets.masterKeyFile"
  | "TOLLGATE_MASTER_KEY"
  /** `master.key` beside the SQLite database, generated when no key is configured. */
  | "key-file"
  /** A random key for `sqlite::memory:`, whose data dies with the process too. */
  | "ephemeral";

export interface LoadMasterKeysOptions {
  /** The config's `secrets` section. */
  readonly secrets: TollgateConfig["secrets"];
  /** Read for `TOLLGATE_MASTER_KEY`, used when the config sets no key. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `storage.url`: with no key configured, one is generated beside a SQLite database; never for Postgres. */
  readonly storageUrl: string;
  /** Relative paths (the SQLite database, `secrets.masterKeyFile`) resolve against it. */
  readonly baseDir: string;
}

export interface LoadedMasterKeys {
  /** Absent with Postgres and no key configured: keys cannot be stored (the caller answers 503). */
  readonly ring: MasterKeyRing | undefined;
  readonly source: MasterKeySource | undefined;
  /** The generated key file in use (source `key-file`). */
  readonly keyFile?: string;
  /** The key file was created just now: warn the operator to back it up. */
  readonly generated: boolean;
  /** For the operator: a key file that others can read. */
  readonly warnings: readonly string[];
}

/**
 * The master keys, from the first of: `secrets.masterKey`, `secrets.masterKeyFile`, `TOLLGATE_MASTER_KEY`,
 * else (SQLite only) `master.key` beside the database, generated on first use. `secrets.previousKeys` and a
 * generated file's rotation siblings join the ring as decryption keys.
 */
export async function loadMasterKeys(options: LoadMasterKeysOptions): Promise<LoadedMasterKeys> {
  const { secrets, baseDir } = options;
  const previous = (secrets?.previousKeys ?? []).map((secret, index) =>
    decoded(secret.reveal(), `secrets.previousKeys[${index}]`),
  );
  const configured = (source: MasterKeySource, key: Buffer): LoadedMasterKeys => ({
    ring: new MasterKeyRing(key, previous),
    source,
    generated: false,
    warnings: [],
  });
  if (secrets?.masterKey !== undefined) {
    return configured("secrets.masterKey", decoded(secrets.masterKey.reveal(), "secrets.masterKey"));
  }
  if (secrets?.masterKeyFile !== undefined) {
    const file = resolve(baseDir, secrets.masterKeyFile);
    const setting = `secrets.masterKeyFile (${file})`;
    const contents = await readKeyFile(file, setting).catch((error: Error) => {
      throw new MasterKeyError(error.message, { cause: error });
    });
    if (contents === undefined) throw new MasterKeyError(`${setting} does not exist`);
    return configured("secrets.masterKeyFile", contents.key);
  }
  const fromEnv = options.env.TOLLGATE_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    return configured("TOLLGATE_MASTER_KEY", decoded(fromEnv, "TOLLGATE_MASTER_KEY"));
  }
  const storage = parseStorageUrl(options.storageUrl, baseDir);
  if (storage.kind === "postgres")
    return { ring: undefined, source: undefined, generated: false, warnings: [] };
  if (storage.path === ":memory:") {
    return {
      ring: new MasterKeyRing(randomBytes(32), previous),
      source: "ephemeral",
      generated: false,
      warnings: [],
    };
  }
  return loadKeyFile(join(dirname(storage.path), KEY_FILE_NAME), previous);
}

async function loadKeyFile(file: string, previous: readonly Buffer[]): Promise<LoadedMasterKeys> {
  const read = (path: string) =>
    readKeyFile(path, `the key file ${path}`).catch((error: Error) => {
      throw new MasterKeyError(error.message, { cause: error });
    });
  let current = await read(file);
  let generated = false;
  if (current === undefined) {
    generated = await createKeyFile(file, randomBytes(32));
    // Whoever won a race to create it, the file now holds the key everyone uses.
    current = await read(file);
    if (current === undefined) throw new MasterKeyError(`the key file ${file} vanished as it was created`);
  }
  const { next, previous: before } = siblingKeyFiles(file);
  const siblings = [await read(next), await read(before)].filter((entry) => entry !== undefined);
  const warnings = [current, ...siblings].flatMap((entry) =>
    entry.warning === undefined ? [] : [entry.warning],
  );
  return {
    ring: new MasterKeyRing(current.key, [...siblings.map((entry) => entry.key), ...previous]),
    source: "key-file",
    keyFile: file,
    generated,
    warnings,
  };
}

function decoded(text: string, setting: string): Buffer {
  const key = decodeMasterKey(text);
  if (key === undefined) throw new MasterKeyError(`${setting} is not a master key: ${MASTER_KEY_ADVICE}`);
  return key;
}

/** A stored secret that did not open, by owner: nothing of the secret itself. */
export interface UnopenedSecret {
  readonly actorId: string | null;
  readonly providerId: string;
  readonly keyId: string;
  readonly code: SecretBoxError["code"];
}

/**
 * Opens every stored provider key with `ring`, so a wrong master key stops the gateway at start instead of
 * sending garbage upstream. Throws a MasterKeyError that says which key ids are missing; how many it checked.
 */
export async function checkMasterKeys(
  store: Pick<StoreRepositories, "providerKeys">,
  ring: MasterKeyRing | undefined,
): Promise<{ checked: number }> {
  const records = await store.providerKeys.list();
  const unopened: UnopenedSecret[] = [];
  for (const record of records) {
    const { actorId, providerId, secret } = record;
    if (ring === undefined) {
      unopened.push({ actorId, providerId, keyId: secret.keyId, code: "unknown-key" });
      continue;
    }
    try {
      openSecret(ring, secret, record);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      unopened.push({ actorId, providerId, keyId: secret.keyId, code: error.code });
    }
  }
  if (unopened.length > 0) throw unopenedError(unopened, ring);
  return { checked: records.length };
}

/** One sentence per key id, saying what to set; shared by the start check and rotation. */
export function unopenedError(
  unopened: readonly UnopenedSecret[],
  ring: MasterKeyRing | undefined,
): MasterKeyError {
  const groups = new Map<string, UnopenedSecret[]>();
  for (const entry of unopened) {
    const group = `${entry.code}\u0000${entry.keyId}`;
    groups.set(group, [...(groups.get(group) ?? []), entry]);
  }
  const sentences = [...groups.values()].map((entries) => {
    const { code, keyId } = entries[0]!;
    const count = `${entries.length} stored secret(s) sealed with key id ${keyId}`;
    if (code === "undecryptable") {
      const owners = entries.map((entry) => `${entry.actorId ?? "central"}/${entry.providerId}`).join(", ");
      return `${count} do not decrypt with that key although it is loaded (${owners}): their rows were altered or moved to another owner or provider; delete them and store them again`;
    }
    const restore = "set secrets.masterKey (or TOLLGATE_MASTER_KEY) to the key they were stored with";
    return ring === undefined
      ? `no master key is configured but there are ${count}; ${restore}`
      : `the master key does not match ${count}; ${restore}, or list the old one in secrets.previousKeys (loaded key ids: ${ring.ids.join(", ")})`;
  });
  return new MasterKeyError(sentences.join(". "));
}
