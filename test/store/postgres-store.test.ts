import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { dropSchemas, postgresUrl, randomSchemaName, withClient, withSchema } from "./postgres.js";
import { describeStoreConformance } from "./store-conformance.js";

// Every test gets a schema of its own (tg_test_<random>), all dropped when the file ends.
const schemas = new Set<string>();

afterAll(async () => {
  await dropSchemas(schemas);
});

async function freshSchemaUrl(): Promise<string> {
  const schema = randomSchemaName();
  schemas.add(schema);
  return withSchema(await postgresUrl(), schema);
}

describeStoreConformance("Postgres", {
  kind: "postgres",
  shared: true,
  async createTarget() {
    const url = await freshSchemaUrl();
    return { open: (options) => openStore(url, options) };
  },
});

describe("Postgres store", () => {
  it("writes usage batches of any size (the usage writer's batchSize decides)", async () => {
    const store = await openStore(await freshSchemaUrl());
    expect(store.usageEvents.batchLimit).toBeUndefined();
    await store.close();
  });

  it("creates the schema from ?schema= and keeps every table in it", async () => {
    const url = await freshSchemaUrl();
    const schema = new URL(url).searchParams.get("schema")!;
    const store = await openStore(url);
    await store.migrate();
    await store.close();
    const tables = await withClient(async (client) => {
      const result = await client.query<{ table_schema: string; table_name: string }>(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_name = ANY($1) ORDER BY 2",
        [["actors", "audit_log", "provider_keys", "schema_migrations", "settings", "tokens"]],
      );
      return result.rows.filter((row) => row.table_schema === schema).map((row) => row.table_name);
    });
    expect(tables).toEqual([
      "actors",
      "audit_log",
      "provider_keys",
      "schema_migrations",
      "settings",
      "tokens",
    ]);
  });

  it("stores timestamps as epoch milliseconds and JSON as jsonb", async () => {
    const url = await freshSchemaUrl();
    const schema = new URL(url).searchParams.get("schema")!;
    const store = await openStore(url);
    await store.migrate();
    await store.actors.create({
      id: "a",
      name: "A",
      role: "user",
      source: "database",
      limits: { chat: { requests: 1 } },
      createdAt: new Date(1_700_000_000_123),
    });
    await store.close();
    const row = await withClient(async (client) => {
      const result = await client.query(
        `SELECT created_at, limits -> 'chat' ->> 'requests' AS requests, pg_typeof(limits)::text AS type
         FROM "${schema}".actors`,
      );
      return result.rows[0];
    });
    expect(row).toEqual({ created_at: "1700000000123", requests: "1", type: "jsonb" });
  });

  it("names storage.url, without the password, when the database cannot be reached", async () => {
    const failure = openStore(
      "postgres://tollgate:hunter2secret@127.0.0.1:1/test?schema=tg_test_unreachable",
    );
    await expect(failure).rejects.toThrow(/storage\.url "postgres:\/\/tollgate:\*\*\*@127\.0\.0\.1:1\/test"/);
    await expect(failure).rejects.not.toThrow(/hunter2secret/);
  });

  it("sets application_name on its connections", async () => {
    const url = await freshSchemaUrl();
    const store = await openStore(url);
    await store.migrate();
    const names = await withClient(async (client) => {
      const result = await client.query<{ application_name: string }>(
        "SELECT application_name FROM pg_stat_activity WHERE datname = current_database()",
      );
      return result.rows.map((row) => row.application_name);
    });
    expect(names).toContain("tollgate");
    await store.close();
  });
});
