import type { FastifyInstance } from "fastify";
import { bootstrapAdmin } from "../auth/admin-bootstrap.js";
import type { Authenticator } from "../auth/principal.js";
import { StaticAuthenticator } from "../auth/static-authenticator.js";
import { loadStoredTokens } from "../auth/token-index.js";
import type { LoadedConfig } from "../config/index.js";
import { openStore, type Store } from "../store/index.js";
import type { Logger } from "../telemetry/logger.js";
import { createUpstreamClient } from "../upstream/index.js";
import { buildApp } from "./app.js";
import { buildModelListing } from "./model-listing.js";
import type { ModelListing } from "./routes/models.js";

export interface GatewayOptions {
  loaded: LoadedConfig;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Relative storage paths resolve against it. */
  cwd: string;
  /** Override `server.host` / `server.port` (the command line's `--host`, `--port`). */
  host?: string;
  port?: number;
  /** Receives an admin token generated on first start, to show it once. */
  onGeneratedAdminToken?: (token: string) => void;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** `http://host:port` the gateway listens on. */
  readonly url: string;
  /** Swaps in a new configuration (SIGHUP); settings that need a restart are logged as such. */
  reload(loaded: LoadedConfig): Promise<void>;
  /** Stops accepting, lets requests in flight finish (up to `server.shutdownTimeout`), closes the store. */
  close(): Promise<void>;
}

interface LiveState {
  loaded: LoadedConfig;
  models: ModelListing;
  authenticator: Authenticator;
}

async function authenticatorFor(store: Store): Promise<Authenticator> {
  return new StaticAuthenticator(await loadStoredTokens(store));
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { loaded, logger } = options;
  const store = await openStore(loaded.config.storage.url.reveal(), { baseDir: options.cwd });
  try {
    const migration = await store.migrate();
    if (migration.applied.length > 0) {
      logger.info(
        { applied: migration.applied.map((entry) => entry.name), version: migration.version },
        "database migrated",
      );
    }
    const { generatedToken } = await bootstrapAdmin(store, options.env);
    if (generatedToken) options.onGeneratedAdminToken?.(generatedToken);
  } catch (error) {
    await store.close();
    throw error;
  }

  const state: LiveState = {
    loaded,
    models: buildModelListing(loaded.catalogue),
    authenticator: await authenticatorFor(store),
  };
  const server = loaded.config.server;
  const upstream = createUpstreamClient();
  const app = await buildApp({
    logger,
    bodyLimit: server.bodyLimit,
    trustProxy: server.trustProxy,
    authenticator: () => state.authenticator,
    models: () => state.models,
    readiness: [{ name: "store", check: () => store.ping() }],
    proxy: {
      catalogue: () => state.loaded.catalogue,
      upstream,
      onOutcome: (outcome) => logger.debug({ outcome }, "proxied"),
    },
  });
  const host = options.host ?? server.host;
  const port = options.port ?? server.port;
  let url: string;
  try {
    url = await app.listen({ host, port });
  } catch (error) {
    await app.close();
    await upstream.destroy();
    await store.close();
    throw error;
  }
  logger.info({ url, models: loaded.catalogue.models.length }, "tollgate listening");

  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    url,
    async reload(next) {
      const before = state.loaded.config;
      for (const key of ["server", "storage", "redis"] as const) {
        if (JSON.stringify(before[key]) !== JSON.stringify(next.config[key])) {
          logger.warn(
            { section: key },
            `configuration section \`${key}\` changed; it takes effect on restart`,
          );
        }
      }
      const models = buildModelListing(next.catalogue);
      const authenticator = await authenticatorFor(store);
      Object.assign(state, { loaded: next, models, authenticator });
      logger.info({ models: next.catalogue.models.length }, "configuration reloaded");
    },
    close() {
      closing ??= (async () => {
        const timeout = setTimeout(() => {
          logger.warn("shutdown timeout reached; closing the remaining connections");
          app.server.closeAllConnections();
        }, server.shutdownTimeout);
        timeout.unref();
        try {
          await app.close();
        } finally {
          clearTimeout(timeout);
          await upstream.destroy();
          await store.close();
        }
      })();
      return closing;
    },
  };
}
