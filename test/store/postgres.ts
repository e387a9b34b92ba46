import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Postgres for tests (CONVENTIONS: 127.0.0.1:5432, database `test`). Trust auth as the current OS user,
 * else as `postgres`; `TOLLGATE_TEST_POSTGRES_URL` overrides both. Never skips: CI has Postgres.
 */
const CANDIDATES = [
  process.env.TOLLGATE_TEST_POSTGRES_URL,
  "postgres://127.0.0.1:5432/test",
  "postgres://postgres@127.0.0.1:5432/test",
].filter((url): url is string => url !== undefined && url !== "");

let found: Promise<string> | undefined;

export function postgresUrl(): Promise<string> {
  found ??= (async () => {
    const failures: string[] = [];
    for (const url of CANDIDATES) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      try {
        await client.connect();
        await client.query("SELECT 1");
        return url;
      } catch (error) {
        failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw new Error(`No test Postgres reachable:\n${failures.join("\n")}`);
  })();
  return found;
}

export function randomSchemaName(): string {
  return `tg_test_${randomBytes(6).toString("hex")}`;
}

export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("schema", schema);
  return parsed.toString();
}

/** Runs `work` with a plain client, outside the store: for checks the store's interface does not offer. */
export async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await postgresUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropSchemas(schemas: Iterable<string>): Promise<void> {
  const names = [...schemas];
  if (names.length === 0) return;
  await withClient(async (client) => {
    for (const name of names) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  });
}
