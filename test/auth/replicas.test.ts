import { afterEach, describe, expect, it } from "vitest";
import { AccessAdmin } from "../../src/auth/access-admin.js";
import { ActorDirectory } from "../../src/auth/actor-directory.js";
import { openStore, type Store } from "../../src/store/index.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { section } from "./directory-conformance.js";
import { testRedis, within } from "./redis.js";

/** Two replicas: each its own store connection pool and directory, sharing one Postgres (and Redis). */
describe("revocation across replicas", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function replicas(options: { redis: boolean; pollIntervalMs: number }) {
    const schema = randomSchemaName();
    cleanups.push(() => dropSchemas([schema]));
    const url = withSchema(await postgresUrl(), schema);
    const redis = options.redis ? testRedis() : undefined;
    if (redis) cleanups.push(() => redis.cleanup());
    const start = async () => {
      const store: Store = await openStore(url);
      await store.migrate();
      cleanups.push(() => store.close());
      const directory = new ActorDirectory({
        store,
        actors: section(),
        redis,
        pollIntervalMs: options.pollIntervalMs,
      });
      await directory.start();
      cleanups.push(() => directory.close());
      return { store, directory, admin: new AccessAdmin(store) };
    };
    return [await start(), await start()] as const;
  }

  async function revokeOnOneRefusedByOther(options: { redis: boolean; pollIntervalMs: number }) {
    const [one, other] = await replicas(options);
    const created = await one.admin.createToken({ name: "shared" }, null);
    await one.directory.changed();
    // The other replica learns the token (miss, then cached) and answers it from memory.
    expect(await other.directory.authenticate(created.token)).toMatchObject({ actorId: created.actorId });
    expect(other.directory.authenticate(created.token)).toMatchObject({ actorId: created.actorId });

    const { tokenHash } = await one.admin.revokeToken(created.id, null);
    await one.directory.changed([tokenHash]);
    const elapsed = await within(1_000, () => {
      const result = other.directory.authenticate(created.token);
      return result === undefined || result instanceof Promise;
    });
    expect(await other.directory.authenticate(created.token)).toBeUndefined();
    return elapsed;
  }

  it("through the store's revision poll (no Redis): within a second", async () => {
    const elapsed = await revokeOnOneRefusedByOther({ redis: false, pollIntervalMs: 500 });
    expect(elapsed).toBeLessThan(1_000);
  });

  it("through Redis pub/sub: at once, even with the poll effectively off", async () => {
    const elapsed = await revokeOnOneRefusedByOther({ redis: true, pollIntervalMs: 60_000 });
    expect(elapsed).toBeLessThan(500);
  });

  it("deleting an actor on one replica refuses its tokens on the other", async () => {
    const [one, other] = await replicas({ redis: true, pollIntervalMs: 60_000 });
    const created = await one.admin.createToken({ name: "to delete" }, null);
    await other.directory.authenticate(created.token);
    const { tokenHashes } = await one.admin.deleteActor(created.actorId, null);
    await one.directory.changed(tokenHashes);
    await within(1_000, () => other.directory.authenticate(created.token) instanceof Promise);
    expect(await other.directory.authenticate(created.token)).toBeUndefined();
  });
});
