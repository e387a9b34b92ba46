import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile } from "../../src/config/index.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";

/**
 * A real gateway (startGateway: a real socket) on a real store for admin API tests: a fresh Postgres schema or a
 * fresh SQLite file. No providers but one keyed one, for the provider routes. The admin token comes from
 * `TOLLGATE_ADMIN_TOKEN`, so a restart with another value can be tested.
 */

export type StoreKind = "postgres" | "sqlite";

export interface AdminAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of any shape; tests pick fields.
  json: any;
  text: string;
}

export interface AdminGateway {
  readonly gateway: Gateway;
  readonly storage: string;
  call(method: string, path: string, token: string, body?: unknown): Promise<AdminAnswer>;
  /** Closes the gateway and starts another on the same store, as a restart does. */
  restart(adminToken: string): Promise<void>;
  close(): Promise<void>;
}

function config(storage: string): string {
  return JSON.stringify({
    storage: { url: storage },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "central",
          serverSideConfig: { type: "openai", endpoint: "http://127.0.0.1:9/openai", accessToken: "" },
        },
      ],
      modelOverrides: [],
      defaultModels: { chat: "", fastChat: "", codeCompletion: "" },
    },
  });
}

export async function startAdminGateway(kind: StoreKind, adminToken: string): Promise<AdminGateway> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-admin-"));
  const schema = randomSchemaName();
  const storage =
    kind === "postgres" ? withSchema(await postgresUrl(), schema) : `sqlite:${join(dir, "tollgate.db")}`;
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(storage));
  const loaded = await loadConfigFile(file, {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));

  const start = (token: string) =>
    startGateway({
      loaded,
      logger: createLogger({ level: "silent" }),
      env: { TOLLGATE_ADMIN_TOKEN: token },
      cwd: dir,
      host: "127.0.0.1",
      port: 0,
    });
  let gateway = await start(adminToken);

  return {
    get gateway() {
      return gateway;
    },
    storage,
    async call(method, path, token, body) {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json, text };
    },
    async restart(token) {
      await gateway.close();
      gateway = await start(token);
    },
    async close() {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
      if (kind === "postgres") await dropSchemas([schema]);
    },
  };
}
