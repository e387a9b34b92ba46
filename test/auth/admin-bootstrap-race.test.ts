import { afterAll, describe, expect, it } from "vitest";
import { bootstrapAdmin } from "../../src/auth/admin-bootstrap.js";
import { openStore, type Store } from "../../src/store/index.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";

/**
 * Replicas started at once on a new database (compose, a Deployment's first rollout) each bootstrap the admin:
 * none may fail, and there is one admin with one generated token, or the environment's token once.
 */
describe("admin bootstrap by replicas starting at once (Postgres)", () => {
  const schemas: string[] = [];
  const stores: Store[] = [];

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await dropSchemas(schemas);
  });

  async function replicas(count: number): Promise<Store[]> {
    const schema = randomSchemaName();
    schemas.push(schema);
    const url = withSchema(await postgresUrl(), schema);
    const opened = await Promise.all(Array.from({ length: count }, () => openStore(url)));
    stores.push(...opened);
    await Promise.all(opened.map((store) => store.migrate()));
    return opened;
  }

  it("a generated token: every replica starts, one token is generated and shown once", async () => {
    const opened = await replicas(4);
    const results = await Promise.all(opened.map((store) => bootstrapAdmin(store, {})));
    expect(results.filter((result) => result.generatedToken !== undefined)).toHaveLength(1);
    const tokens = await opened[0]!.tokens.list({ actorId: "admin", activeOnly: true });
    expect(tokens).toHaveLength(1);
  });

  it("TOLLGATE_ADMIN_TOKEN: every replica starts and the token is stored once", async () => {
    const opened = await replicas(4);
    const env = { TOLLGATE_ADMIN_TOKEN: "tg_race_0123456789abcdef01234567" };
    await Promise.all(opened.map((store) => bootstrapAdmin(store, env)));
    const tokens = await opened[0]!.tokens.list({ actorId: "admin", activeOnly: true });
    expect(tokens).toHaveLength(1);
  });
});
