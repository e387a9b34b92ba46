// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config files here read keys through ${NAME}.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRevision } from "../auth/revision.js";
import { checkMasterKeys, loadMasterKeys, MasterKeyRing, masterKeyId } from "../credentials/master-key.js";
import { keyHint, sealSecret } from "../credentials/secret-box.js";
import { openStore } from "../store/index.js";
import { main } from "./commands.js";
import type { CommandIO } from "./io.js";

const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

async function workspace(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "tollgate-secrets-"));
  directories.push(directory);
  return directory;
}

async function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const io: CommandIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    cwd,
  };
  const code = await main(["secrets", ...args], io);
  return { code, stdout, stderr };
}

const STORE = "sqlite:.tollgate/tollgate.db";

/** Stores keys as a gateway would, sealed with `ring` (default: the keys the embedded default loads). */
async function storeKeys(cwd: string, owners: [string | null, string][], ring?: MasterKeyRing) {
  const keys = await loadMasterKeys({ secrets: undefined, env: {}, storageUrl: STORE, baseDir: cwd });
  const sealing = ring ?? keys.ring!;
  const store = await openStore(STORE, { baseDir: cwd });
  await store.migrate();
  for (const [actorId, providerId] of owners) {
    const plaintext = `sk-${providerId}-${randomBytes(8).toString("hex")}`;
    const secret = sealSecret(sealing, plaintext, { actorId, providerId });
    await store.providerKeys.put({ actorId, providerId, secret, hint: keyHint(plaintext) });
  }
  await store.close();
  return keys;
}

describe("tollgate secrets", () => {
  it("generate-key prints a new 32-byte base64 key, and with --json its key id", async () => {
    const cwd = await workspace();
    const plain = await run(cwd, ["generate-key"]);
    expect(plain).toMatchObject({ code: 0, stderr: "" });
    expect(plain.stdout).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(Buffer.from(plain.stdout, "base64")).toHaveLength(32);
    const json = JSON.parse((await run(cwd, ["generate-key", "--json"])).stdout) as {
      key: string;
      keyId: string;
    };
    expect(json.keyId).toBe(masterKeyId(Buffer.from(json.key, "base64")));
    expect(json.key).not.toBe(plain.stdout.trim());
  });

  it("--help, and usage errors with exit code 2", async () => {
    const cwd = await workspace();
    expect(await run(cwd, ["--help"])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("secrets rotate"),
    });
    expect((await run(cwd, [])).code).toBe(2);
    expect(await run(cwd, ["spin"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("rotate or generate-key"),
    });
    expect((await run(cwd, ["rotate", "extra"])).code).toBe(2);
    expect((await run(cwd, ["rotate", "--force"])).code).toBe(2);
  });

  it("rotate on the embedded default: a new master.key, the old one in master.key.previous, both 0600", async () => {
    const cwd = await workspace();
    const before = await storeKeys(cwd, [
      [null, "openai"],
      ["alice", "anthropic"],
    ]);
    const keyFile = join(cwd, ".tollgate", "master.key");
    const oldText = await readFile(keyFile, "utf8");

    const rotated = await run(cwd, ["rotate"]);
    expect(rotated.code).toBe(0);
    expect(rotated.stderr).toBe(
      `tollgate secrets: config the embedded default (no --config, TOLLGATE_CONFIG or ./tollgate.jsonc); store sqlite:${join(cwd, ".tollgate/tollgate.db")}; master key ${keyFile}\n`,
    );
    const after = await loadMasterKeys({ secrets: undefined, env: {}, storageUrl: STORE, baseDir: cwd });
    const newId = after.ring!.current.id;
    expect(newId).not.toBe(before.ring!.current.id);
    expect(rotated.stdout).toBe(
      `Re-sealed 2 of 2 stored secret(s) with master key id ${newId} (2 from key id ${before.ring!.current.id}).\n` +
        `${keyFile} now holds the new key; the old one is kept in ${keyFile}.previous.\n` +
        `Back up ${keyFile}. A gateway running on this store reads the new key within a second.\n`,
    );
    expect(await readFile(`${keyFile}.previous`, "utf8")).toBe(oldText);
    const files = (await readdir(join(cwd, ".tollgate"))).filter((name) => name.startsWith("master.key"));
    expect(files.sort()).toEqual(["master.key", "master.key.previous"]);
    for (const file of files) expect((await stat(join(cwd, ".tollgate", file))).mode & 0o777).toBe(0o600);

    const store = await openStore(STORE, { baseDir: cwd });
    const newKey = Buffer.from(await readFile(keyFile, "utf8"), "base64");
    expect(await checkMasterKeys(store, new MasterKeyRing(newKey))).toEqual({ checked: 2 });
    expect(await readRevision(store.settings)).toBeDefined();
    expect((await store.audit.list())[0]).toMatchObject({
      action: "secrets-rotate",
      details: { secrets: 2, resealed: 2, keyId: newId },
    });
    await store.close();
  });

  it("rotate --json with a configured key moves secrets off previousKeys; text output prints the rollout", async () => {
    const cwd = await workspace();
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    await storeKeys(cwd, [["alice", "openai"]], new MasterKeyRing(oldKey));
    await writeFile(
      join(cwd, "tollgate.jsonc"),
      '{ "secrets": { "masterKey": "${NEW_KEY}", "previousKeys": ["${OLD_KEY}"] } }',
    );
    const env = { NEW_KEY: newKey.toString("base64"), OLD_KEY: oldKey.toString("base64url") };
    const rotated = await run(cwd, ["rotate", "--json"], env);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout)).toEqual({
      mode: "configured",
      secrets: 1,
      resealed: 1,
      keyId: masterKeyId(newKey),
      from: { [masterKeyId(oldKey)]: 1 },
    });
    const again = await run(cwd, ["rotate"], env);
    expect(again.stdout).toMatch(
      /^Re-sealed 0 of 1 stored secret\(s\) with master key id [0-9a-f]{16}\.\n\nTo rotate/,
    );
    expect(again.stdout).toContain("Remove the old key from secrets.previousKeys");
    for (const output of [rotated, again]) {
      for (const key of [env.NEW_KEY, env.OLD_KEY]) expect(output.stdout + output.stderr).not.toContain(key);
    }
  });

  it("changes nothing when a stored key does not open, naming its key id (exit 1)", async () => {
    const cwd = await workspace();
    const stranger = new MasterKeyRing(randomBytes(32));
    await storeKeys(cwd, [["alice", "openai"]], stranger);
    const keyFile = join(cwd, ".tollgate", "master.key");
    const before = await readFile(keyFile, "utf8");
    const failed = await run(cwd, ["rotate"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      `tollgate secrets rotate: nothing was changed: the master key does not match 1 stored secret(s) sealed with key id ${stranger.current.id};`,
    );
    expect(await readFile(keyFile, "utf8")).toBe(before);
  });

  it("a malformed TOLLGATE_MASTER_KEY is exit 1 with how to make one", async () => {
    const failed = await run(await workspace(), ["rotate"], { TOLLGATE_MASTER_KEY: "hunter2" });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/TOLLGATE_MASTER_KEY is not a master key: .*openssl rand -base64 32/);
    expect(failed.stderr).not.toContain("hunter2");
  });
});
