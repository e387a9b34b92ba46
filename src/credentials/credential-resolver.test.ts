import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config/index.js";
import { openStore, type Store } from "../store/index.js";
import { CredentialResolver } from "./credential-resolver.js";
import { KeyDirectory } from "./key-directory.js";
import { MasterKeyRing } from "./master-key.js";

/** Providers whose keys take different shapes: Bedrock (bearer, SigV4, ambient) and Gemini. */
function catalogue() {
  const loaded = loadConfig(
    JSON.stringify({
      modelConfiguration: {
        sourcegraph: null,
        providerOverrides: [
          {
            id: "bedrock",
            serverSideConfig: { type: "awsBedrock", region: "eu-west-1" },
            keyPolicy: { allowUserKeys: true, centralKeyFallback: true },
          },
          {
            id: "gemini",
            serverSideConfig: { type: "google", accessToken: "central-gemini-key" },
            keyPolicy: { allowUserKeys: true },
          },
        ],
        modelOverrides: [],
      },
    }),
    { env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.catalogue;
}

let store: Store;
let keys: KeyDirectory;
let resolver: CredentialResolver;
const providers = catalogue();
const bedrock = providers.provider("bedrock")!;
const gemini = providers.provider("gemini")!;

beforeEach(async () => {
  store = await openStore("sqlite::memory:");
  await store.migrate();
  keys = new KeyDirectory({
    store,
    ring: new MasterKeyRing(randomBytes(32)),
    changed: () => keys.load(),
  });
  await keys.load();
  resolver = new CredentialResolver(keys, {});
});

afterEach(async () => {
  await store.close();
});

describe("CredentialResolver", () => {
  it("a Bedrock provider without a key uses the ambient AWS chain; a stored central key replaces it until cleared", async () => {
    const ambient = resolver.resolve("alice", bedrock);
    expect(ambient).toMatchObject({ ok: true, credential: { origin: "ambient", mode: "aws-ambient" } });
    expect(ambient.choice?.row.n).toBe(7);

    await keys.save(null, "bedrock", "ABSKbedrockapikey", null);
    expect(resolver.resolve("alice", bedrock)).toMatchObject({
      ok: true,
      credential: { origin: "stored", mode: "aws-bearer", region: "eu-west-1" },
    });
    await keys.remove(null, "bedrock", null);
    expect(resolver.resolve("alice", bedrock)).toMatchObject({ credential: { origin: "ambient" } });
  });

  it("a caller's Bedrock key is SigV4 keys or a bearer token by its shape", async () => {
    await keys.save("alice", "bedrock", "AKIAEXAMPLE:secretsecret", "alice");
    await keys.save("bob", "bedrock", "ABSKbobsbedrockkey", "bob");
    const alice = resolver.resolve("alice", bedrock);
    expect(alice).toMatchObject({ ok: true, credential: { origin: "user", mode: "aws-static" } });
    expect(alice.ok && alice.credential.key?.reveal()).toBe("AKIAEXAMPLE:secretsecret");
    expect(resolver.resolve("bob", bedrock)).toMatchObject({
      credential: { origin: "user", mode: "aws-bearer" },
    });
    expect(alice.choice?.row.n).toBe(6);
  });

  it("keeps one credential object per caller and key, and a new one when the key changes", async () => {
    await keys.save("alice", "gemini", "alice-gemini-key-1", "alice");
    const first = resolver.resolve("alice", gemini);
    expect(resolver.resolve("alice", gemini)).toStrictEqual(first);
    const again = resolver.resolve("alice", gemini);
    expect(first.ok && again.ok && first.credential === again.credential).toBe(true);
    await keys.save("alice", "gemini", "alice-gemini-key-2", "alice");
    const changed = resolver.resolve("alice", gemini);
    expect(changed.ok && changed.credential.key?.reveal()).toBe("alice-gemini-key-2");
  });

  it("without fallback, a caller without a key is refused with 403 no_usable_key; the central key serves no one", () => {
    const refused = resolver.resolve("carol", gemini);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.code).toBe("no_usable_key");
    expect(!refused.ok && refused.error.status).toBe(403);
    expect(resolver.keyStatus("carol", gemini)).toEqual({ status: "no_key" });
    expect(resolver.keyStatus("carol", bedrock)).toEqual({ status: "using_shared_key" });
  });
});
