import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../../test/store/postgres.js";
import { readRevision } from "../auth/revision.js";
import { openStore, type Store } from "../store/index.js";
import {
  checkMasterKeys,
  type LoadedMasterKeys,
  loadMasterKeys,
  MasterKeyError,
  MasterKeyRing,
  masterKeyId,
} from "./master-key.js";
import { resealSecrets, rotateMasterKey } from "./rotate-secrets.js";
import { keyHint, openSecret, sealSecret } from "./secret-box.js";

const directories: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  await dropSchemas(schemas);
});

async function workspace(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "tollgate-rotate-"));
  directories.push(directory);
  return directory;
}

const OLD = randomBytes(32);
const CURRENT = randomBytes(32);
const T0 = new Date("2025-03-04T05:06:07.000Z");

type Owner = [actorId: string | null, providerId: string];
const plaintextOf = ([actorId, providerId]: Owner) => `sk-${actorId ?? "central"}-${providerId}-0123456789`;

async function putSealed(store: Store, ring: MasterKeyRing, owners: Owner[]): Promise<void> {
  for (const owner of owners) {
    const [actorId, providerId] = owner;
    const plaintext = plaintextOf(owner);
    const secret = sealSecret(ring, plaintext, { actorId, providerId });
    await store.providerKeys.put({ actorId, providerId, secret, hint: keyHint(plaintext), at: T0 });
  }
}

/** Every stored secret opened with `ring` (throws if one does not), with its key id. */
async function opened(store: Store, ring: MasterKeyRing) {
  return (await store.providerKeys.list()).map((record) => ({
    owner: `${record.actorId ?? "central"}/${record.providerId}`,
    keyId: record.secret.keyId,
    plaintext: openSecret(ring, record.secret, record),
  }));
}

const targets = [
  {
    kind: "SQLite",
    async open() {
      return openStore("sqlite:tollgate.db", { baseDir: await workspace() });
    },
  },
  {
    kind: "Postgres",
    async open() {
      const schema = randomSchemaName();
      schemas.push(schema);
      return openStore(withSchema(await postgresUrl(), schema));
    },
  },
];

describe.each(targets)("resealSecrets on $kind", (target) => {
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  async function migrated(): Promise<Store> {
    const store = await target.open();
    stores.push(store);
    await store.migrate();
    return store;
  }

  it("seals every secret with the current key in one step: revision bumped, counts audited", async () => {
    const store = await migrated();
    await putSealed(store, new MasterKeyRing(OLD), [
      [null, "openai"],
      ["alice", "openai"],
    ]);
    await putSealed(store, new MasterKeyRing(CURRENT), [["bob", "anthropic"]]);
    const before = await store.providerKeys.list();
    const revision = await readRevision(store.settings);

    const ring = new MasterKeyRing(CURRENT, [OLD]);
    const summary = await resealSecrets(store, ring);
    expect(summary).toEqual({
      secrets: 3,
      resealed: 2,
      keyId: masterKeyId(CURRENT),
      from: { [masterKeyId(OLD)]: 2 },
    });
    // The old key is no longer needed: the current one alone opens everything, to the same plaintexts.
    expect(await opened(store, new MasterKeyRing(CURRENT))).toEqual([
      { owner: "central/openai", keyId: masterKeyId(CURRENT), plaintext: plaintextOf([null, "openai"]) },
      { owner: "alice/openai", keyId: masterKeyId(CURRENT), plaintext: plaintextOf(["alice", "openai"]) },
      { owner: "bob/anthropic", keyId: masterKeyId(CURRENT), plaintext: plaintextOf(["bob", "anthropic"]) },
    ]);
    const after = await store.providerKeys.list();
    expect(after.map(({ hint, createdAt, updatedAt }) => ({ hint, createdAt, updatedAt }))).toEqual(
      before.map(({ hint, createdAt, updatedAt }) => ({ hint, createdAt, updatedAt })),
    );
    expect(await readRevision(store.settings)).not.toBe(revision);
    const [entry] = await store.audit.list();
    expect(entry).toMatchObject({ action: "secrets-rotate", actorId: null, details: summary });
  });

  it("changes nothing when a secret does not open, naming the unknown key id", async () => {
    const store = await migrated();
    const stranger = new MasterKeyRing(randomBytes(32));
    await putSealed(store, new MasterKeyRing(OLD), [[null, "openai"]]);
    await putSealed(store, stranger, [["alice", "openai"]]);
    const before = await store.providerKeys.list();
    const revision = await readRevision(store.settings);

    const failure = await resealSecrets(store, new MasterKeyRing(CURRENT, [OLD])).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MasterKeyError);
    expect((failure as Error).message).toMatch(
      new RegExp(`does not match 1 stored secret\\(s\\) sealed with key id ${stranger.current.id};`),
    );
    expect(await store.providerKeys.list()).toEqual(before);
    expect(await readRevision(store.settings)).toBe(revision);
    expect(await store.audit.list()).toEqual([]);
  });

  it("with a configured key, moves the secrets off previousKeys", async () => {
    const store = await migrated();
    await putSealed(store, new MasterKeyRing(OLD), [["alice", "mistral"]]);
    const keys: LoadedMasterKeys = {
      ring: new MasterKeyRing(CURRENT, [OLD]),
      source: "secrets.masterKey",
      generated: false,
      warnings: [],
    };
    expect(await rotateMasterKey(store, keys)).toEqual({
      mode: "configured",
      secrets: 1,
      resealed: 1,
      keyId: masterKeyId(CURRENT),
      from: { [masterKeyId(OLD)]: 1 },
    });
    expect(await checkMasterKeys(store, new MasterKeyRing(CURRENT))).toEqual({ checked: 1 });
    const none = { ring: undefined, source: undefined, generated: false, warnings: [] };
    await expect(rotateMasterKey(store, none)).rejects.toThrow(/no master key is configured/);
  });
});

describe("rotateMasterKey with the generated key file", () => {
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  async function setUp() {
    const cwd = await workspace();
    const storageUrl = "sqlite:.tollgate/tollgate.db";
    const load = () => loadMasterKeys({ secrets: undefined, env: {}, storageUrl, baseDir: cwd });
    const store = await openStore(storageUrl, { baseDir: cwd });
    stores.push(store);
    await store.migrate();
    const keys = await load();
    return { cwd, store, keys, load, keyFile: keys.keyFile! };
  }

  const keyIn = async (file: string) => Buffer.from(await readFile(file, "utf8"), "base64");

  it("replaces master.key with a new key, keeping the old one in master.key.previous", async () => {
    const { store, keys, load, keyFile } = await setUp();
    await putSealed(store, keys.ring!, [
      [null, "openai"],
      ["alice", "openai"],
    ]);
    const oldId = keys.ring!.current.id;

    const result = await rotateMasterKey(store, keys);
    expect(result).toMatchObject({
      mode: "key-file",
      secrets: 2,
      resealed: 2,
      from: { [oldId]: 2 },
      keyFile,
      previousKeyFile: `${keyFile}.previous`,
    });
    expect(result.keyId).not.toBe(oldId);
    expect(masterKeyId(await keyIn(keyFile))).toBe(result.keyId);
    expect(masterKeyId(await keyIn(`${keyFile}.previous`))).toBe(oldId);
    expect((await readdir(join(keyFile, ".."))).filter((name) => name.includes("master.key")).sort()).toEqual(
      ["master.key", "master.key.previous"],
    );
    for (const file of [keyFile, `${keyFile}.previous`]) expect((await stat(file)).mode & 0o777).toBe(0o600);

    // A gateway starting now loads the new key, which alone opens everything.
    const reloaded = await load();
    expect(reloaded.ring?.current.id).toBe(result.keyId);
    expect(await checkMasterKeys(store, new MasterKeyRing(await keyIn(keyFile)))).toEqual({ checked: 2 });

    // A second rotation drops the oldest key: nothing is sealed with it any more.
    const second = await rotateMasterKey(store, reloaded);
    expect(second.from).toEqual({ [result.keyId]: 2 });
    expect(masterKeyId(await keyIn(`${keyFile}.previous`))).toBe(result.keyId);
  });

  it("reuses a key a crashed rotation left in master.key.next (secrets may already be sealed with it)", async () => {
    const { store, keys, load, keyFile } = await setUp();
    const next = randomBytes(32);
    await writeFile(`${keyFile}.next`, next.toString("base64"), { mode: 0o600 });
    // The crash came after the transaction: one secret is already sealed with the new key.
    await putSealed(store, new MasterKeyRing(next), [["alice", "openai"]]);
    await putSealed(store, keys.ring!, [[null, "openai"]]);
    const restarted = await load();
    expect(await checkMasterKeys(store, restarted.ring)).toEqual({ checked: 2 });

    const result = await rotateMasterKey(store, restarted);
    expect(result).toMatchObject({ keyId: masterKeyId(next), resealed: 1 });
    expect((await keyIn(keyFile)).equals(next)).toBe(true);
    expect(await checkMasterKeys(store, new MasterKeyRing(next))).toEqual({ checked: 2 });
  });

  it("leaves the files alone when a secret does not open", async () => {
    const { store, keys, keyFile } = await setUp();
    await putSealed(store, new MasterKeyRing(randomBytes(32)), [["alice", "openai"]]);
    const before = await readFile(keyFile, "utf8");
    await expect(rotateMasterKey(store, keys)).rejects.toThrow(MasterKeyError);
    expect(await readFile(keyFile, "utf8")).toBe(before);
    // The new key stays in master.key.next, so a retry after fixing the problem reuses it.
    const retried = await readFile(`${keyFile}.next`, "utf8");
    expect(retried).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
  });
});
