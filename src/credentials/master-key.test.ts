// biome-ignore-all lint/suspicious/noTemplateCurlyInString: a config case reads its key through ${KEY}.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { formatProblem, loadConfig, Secret } from "../config/index.js";
import { openStore, type Store } from "../store/index.js";
import {
  checkMasterKeys,
  type LoadMasterKeysOptions,
  loadMasterKeys,
  MasterKeyError,
  MasterKeyRing,
  masterKeyId,
} from "./master-key.js";
import { keyHint, sealSecret } from "./secret-box.js";

const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

async function workspace(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "tollgate-master-key-"));
  directories.push(directory);
  return directory;
}

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 9);
const base64 = (key: Buffer) => key.toString("base64");

function options(baseDir: string, overrides: Partial<LoadMasterKeysOptions> = {}): LoadMasterKeysOptions {
  return { secrets: undefined, env: {}, storageUrl: "sqlite:.tollgate/tollgate.db", baseDir, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MasterKeyError);
  return error as Error;
}

describe("MasterKeyRing", () => {
  it("names keys by a fingerprint and finds any of its keys by it", () => {
    const ring = new MasterKeyRing(KEY, [OTHER, KEY]);
    expect(ring.current.id).toMatch(/^[0-9a-f]{16}$/);
    expect(ring.current.id).toBe(masterKeyId(KEY));
    expect(ring.ids).toEqual([masterKeyId(KEY), masterKeyId(OTHER)]);
    expect(ring.key(masterKeyId(OTHER))?.key.equals(OTHER)).toBe(true);
    expect(ring.key("0000000000000000")).toBeUndefined();
    const rotated = ring.withCurrent(randomBytes(32));
    expect(rotated.ids.slice(1)).toEqual(ring.ids);
    expect(() => new MasterKeyRing(Buffer.alloc(16))).toThrow(RangeError);
  });

  it("never prints its keys", () => {
    const ring = new MasterKeyRing(KEY);
    const printed = [
      inspect(ring),
      inspect(ring.current),
      JSON.stringify(ring),
      JSON.stringify(ring.current),
    ];
    for (const text of printed) {
      expect(text).not.toContain(base64(KEY));
      expect(text).not.toContain(KEY.toString("hex").slice(0, 16));
    }
    expect(inspect(ring)).toContain(ring.current.id);
  });
});

describe("loadMasterKeys", () => {
  it("takes secrets.masterKey (base64 or base64url) with previousKeys, before TOLLGATE_MASTER_KEY", async () => {
    const cwd = await workspace();
    const env = { TOLLGATE_MASTER_KEY: base64(OTHER) };
    const fromConfig = await loadMasterKeys(
      options(cwd, {
        env,
        secrets: {
          masterKey: new Secret(KEY.toString("base64url")),
          previousKeys: [new Secret(base64(OTHER))],
        },
      }),
    );
    expect(fromConfig).toMatchObject({ source: "secrets.masterKey", generated: false, warnings: [] });
    expect(fromConfig.ring?.ids).toEqual([masterKeyId(KEY), masterKeyId(OTHER)]);
    const fromEnv = await loadMasterKeys(options(cwd, { env }));
    expect(fromEnv.source).toBe("TOLLGATE_MASTER_KEY");
    expect(fromEnv.ring?.current.id).toBe(masterKeyId(OTHER));
  });

  it("reads secrets.masterKeyFile relative to the working directory", async () => {
    const cwd = await workspace();
    await writeFile(join(cwd, "key.txt"), `${base64(KEY)}\n`);
    const loaded = await loadMasterKeys(options(cwd, { secrets: { masterKeyFile: "key.txt" } }));
    expect(loaded).toMatchObject({ source: "secrets.masterKeyFile", generated: false });
    expect(loaded.ring?.current.id).toBe(masterKeyId(KEY));
    const missing = await rejection(loadMasterKeys(options(cwd, { secrets: { masterKeyFile: "nope.txt" } })));
    expect(missing.message).toBe(`secrets.masterKeyFile (${join(cwd, "nope.txt")}) does not exist`);
  });

  it.each([
    ["secrets.masterKey", { secrets: { masterKey: new Secret("hunter2-not-a-key") } }],
    [
      "secrets.previousKeys[1]",
      { secrets: { previousKeys: [new Secret(base64(KEY)), new Secret("hunter2-not-a-key")] } },
    ],
    ["TOLLGATE_MASTER_KEY", { env: { TOLLGATE_MASTER_KEY: "hunter2-not-a-key" } }],
    ["TOLLGATE_MASTER_KEY", { env: { TOLLGATE_MASTER_KEY: Buffer.alloc(24).toString("base64") } }],
  ])(
    "refuses a malformed key, naming %s and how to make one, never the value",
    async (setting, overrides) => {
      const error = await rejection(loadMasterKeys(options(await workspace(), overrides)));
      expect(error.message).toContain(`${setting} is not a master key`);
      expect(error.message).toContain("openssl rand -base64 32");
      expect(error.message).toContain("tollgate secrets generate-key");
      expect(error.message).not.toContain("hunter2");
    },
  );

  it("refuses a malformed key file, naming it", async () => {
    const cwd = await workspace();
    await writeFile(join(cwd, "key.txt"), "hunter2-not-a-key\n");
    const error = await rejection(loadMasterKeys(options(cwd, { secrets: { masterKeyFile: "key.txt" } })));
    expect(error.message).toMatch(
      /^secrets\.masterKeyFile \(.*key\.txt\) does not hold a master key: .*openssl/,
    );
    expect(error.message).not.toContain("hunter2");
  });

  it("generates master.key beside a SQLite database once (mode 0600), then reads it", async () => {
    const cwd = await workspace();
    const first = await loadMasterKeys(options(cwd));
    const file = join(cwd, ".tollgate", "master.key");
    expect(first).toMatchObject({ source: "key-file", keyFile: file, generated: true, warnings: [] });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(cwd, ".tollgate"))).mode & 0o777).toBe(0o700);
    const text = await readFile(file, "utf8");
    expect(text).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(first.ring?.current.id).toBe(masterKeyId(Buffer.from(text, "base64")));

    const again = await loadMasterKeys(options(cwd));
    expect(again).toMatchObject({ generated: false, keyFile: file });
    expect(again.ring?.current.id).toBe(first.ring?.current.id);
  });

  it("agrees on one generated key when several processes start at once", async () => {
    const cwd = await workspace();
    const loads = await Promise.all(Array.from({ length: 6 }, () => loadMasterKeys(options(cwd))));
    expect(new Set(loads.map((loaded) => loaded.ring?.current.id)).size).toBe(1);
    expect(loads.filter((loaded) => loaded.generated)).toHaveLength(1);
  });

  it("warns when others can read the key file", async () => {
    const cwd = await workspace();
    const { keyFile } = await loadMasterKeys(options(cwd));
    await chmod(keyFile!, 0o644);
    const loaded = await loadMasterKeys(options(cwd));
    expect(loaded.warnings).toEqual([
      `${keyFile} can be read by other users (mode 0644); run \`chmod 600 ${keyFile}\``,
    ]);
  });

  it("loads a rotation's master.key.next and master.key.previous as extra keys", async () => {
    const cwd = await workspace();
    const { keyFile, ring } = await loadMasterKeys(options(cwd));
    await writeFile(`${keyFile}.next`, base64(KEY), { mode: 0o600 });
    await writeFile(`${keyFile}.previous`, base64(OTHER), { mode: 0o600 });
    const loaded = await loadMasterKeys(
      options(cwd, { secrets: { previousKeys: [new Secret(base64(Buffer.alloc(32, 1)))] } }),
    );
    expect(loaded.ring?.ids).toEqual([
      ring!.current.id,
      masterKeyId(KEY),
      masterKeyId(OTHER),
      masterKeyId(Buffer.alloc(32, 1)),
    ]);
  });

  it("has no key for Postgres when none is configured, and an ephemeral one for SQLite in memory", async () => {
    const cwd = await workspace();
    const postgres = await loadMasterKeys(options(cwd, { storageUrl: "postgres://db.invalid/tollgate" }));
    expect(postgres).toEqual({ ring: undefined, source: undefined, generated: false, warnings: [] });
    const memory = await loadMasterKeys(options(cwd, { storageUrl: "sqlite::memory:" }));
    expect(memory).toMatchObject({ source: "ephemeral", generated: false });
    expect(memory.ring).toBeInstanceOf(MasterKeyRing);
  });
});

describe("the config's secrets section", () => {
  it("accepts 32-byte keys and refuses others at their path, without echoing them", () => {
    const good = loadConfig(
      JSON.stringify({ secrets: { masterKey: "${KEY}", previousKeys: [KEY.toString("base64url")] } }),
      { env: { KEY: base64(OTHER) } },
    );
    expect(good.ok && good.config.secrets?.masterKey?.reveal()).toBe(base64(OTHER));
    const bad = loadConfig(JSON.stringify({ secrets: { previousKeys: [base64(KEY), "hunter2"] } }), {
      env: {},
    });
    const problems = bad.ok ? [] : bad.problems.map(formatProblem);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^secrets\.previousKeys\[1\]: not a master key: .*openssl rand -base64 32/);
    expect(problems[0]).not.toContain("hunter2");
  });
});

describe("checkMasterKeys", () => {
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  async function storeWith(ring: MasterKeyRing, owners: [string | null, string][]): Promise<Store> {
    const store = await openStore("sqlite::memory:");
    stores.push(store);
    await store.migrate();
    for (const [actorId, providerId] of owners) {
      const secret = sealSecret(ring, `sk-${providerId}-0123456789`, { actorId, providerId });
      await store.providerKeys.put({ actorId, providerId, secret, hint: keyHint("sk-0123456789") });
    }
    return store;
  }

  it("passes when every stored secret opens, counting them", async () => {
    const old = new MasterKeyRing(OTHER);
    const store = await storeWith(old, [
      [null, "openai"],
      ["alice", "anthropic"],
    ]);
    expect(await checkMasterKeys(store, old)).toEqual({ checked: 2 });
    expect(await checkMasterKeys(store, new MasterKeyRing(KEY, [OTHER]))).toEqual({ checked: 2 });
    expect(await checkMasterKeys(await storeWith(old, []), undefined)).toEqual({ checked: 0 });
  });

  it("stops a wrong key, naming the key id the secrets need and what to set", async () => {
    const old = new MasterKeyRing(OTHER);
    const store = await storeWith(old, [
      [null, "openai"],
      ["alice", "anthropic"],
    ]);
    const wrong = new MasterKeyRing(KEY);
    const error = await rejection(checkMasterKeys(store, wrong));
    expect(error.message).toBe(
      `the master key does not match 2 stored secret(s) sealed with key id ${old.current.id}; set secrets.masterKey (or TOLLGATE_MASTER_KEY) to the key they were stored with, or list the old one in secrets.previousKeys (loaded key ids: ${wrong.current.id})`,
    );
    const none = await rejection(checkMasterKeys(store, undefined));
    expect(none.message).toBe(
      `no master key is configured but there are 2 stored secret(s) sealed with key id ${old.current.id}; set secrets.masterKey (or TOLLGATE_MASTER_KEY) to the key they were stored with`,
    );
  });

  it("says which rows were altered when the key is right but a secret does not decrypt", async () => {
    const ring = new MasterKeyRing(KEY);
    const store = await storeWith(ring, [["alice", "openai"]]);
    const { secret } = (await store.providerKeys.get("alice", "openai"))!;
    await store.providerKeys.put({ actorId: "bob", providerId: "openai", secret, hint: "x" });
    const error = await rejection(checkMasterKeys(store, ring));
    expect(error.message).toMatch(
      new RegExp(
        `^1 stored secret\\(s\\) sealed with key id ${ring.current.id} do not decrypt .*\\(bob/openai\\)`,
      ),
    );
  });
});
