import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { MasterKeyRing } from "../../src/credentials/master-key.js";
import { keyHint, sealSecret } from "../../src/credentials/secret-box.js";
import { openStore, type Store } from "../../src/store/index.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "./postgres.js";

const directories: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  await dropSchemas(schemas);
});

const PG_DUMP = "/usr/bin/pg_dump";

/**
 * The forms a leaked key could take in a file: as text, hex, and base64 at each of the three alignments it
 * could start at inside a longer base64 string (the characters its neighbours touch are left out).
 */
function leakedForms(plaintext: string): string[] {
  const bytes = Buffer.from(plaintext, "utf8");
  const base64 = [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    return encoded.slice(offset === 0 ? 0 : 4, -4);
  });
  return [
    plaintext,
    bytes.toString("hex"),
    ...base64,
    ...base64.map((form) => form.replace(/\+/g, "-").replace(/\//g, "_")),
  ];
}

/** Seals and stores a distinctive key as the admin API would; what was written. */
async function storeDistinctiveKey(store: Store) {
  const plaintext = `sk-at-rest-${randomBytes(16).toString("hex")}-do-not-store`;
  const ring = new MasterKeyRing(randomBytes(32));
  const secret = sealSecret(ring, plaintext, { actorId: "alice", providerId: "openai" });
  await store.providerKeys.put({ actorId: "alice", providerId: "openai", secret, hint: keyHint(plaintext) });
  return { plaintext, ciphertext: secret.ciphertext };
}

function expectNoPlaintext(haystack: string, written: { plaintext: string; ciphertext: string }): void {
  // The search works on these bytes: the row itself is there.
  expect(haystack).toContain(written.ciphertext);
  for (const form of leakedForms(written.plaintext)) expect(haystack).not.toContain(form);
}

describe("provider keys at rest", () => {
  it("SQLite: neither the database file nor its WAL holds the key, in any encoding", async () => {
    const directory = await mkdtemp(join(tmpdir(), "tollgate-at-rest-"));
    directories.push(directory);
    const file = join(directory, "tollgate.db");
    const store = await openStore(`sqlite:${file}`);
    await store.migrate();
    const written = await storeDistinctiveKey(store);
    const bytes = async () =>
      Buffer.concat([
        await readFile(file),
        await readFile(`${file}-wal`).catch(() => Buffer.alloc(0)),
      ]).toString("latin1");
    // While open, the row is in the WAL; after close, SQLite checkpoints it into the database file.
    expectNoPlaintext(await bytes(), written);
    await store.close();
    expectNoPlaintext(await bytes(), written);
  });

  it("Postgres: pg_dump of the schema does not hold the key, in any encoding", async () => {
    const schema = randomSchemaName();
    schemas.push(schema);
    const url = await postgresUrl();
    const store = await openStore(withSchema(url, schema));
    await store.migrate();
    const written = await storeDistinctiveKey(store);
    await store.close();
    const { stdout } = await promisify(execFile)(
      PG_DUMP,
      ["--dbname", url, "--schema", schema, "--no-owner"],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(stdout).toContain(`${schema}.provider_keys`);
    expectNoPlaintext(stdout, written);
  });
});
