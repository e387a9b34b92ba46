import { bootstrapAdmin } from "../auth/admin-bootstrap.js";
import type { LoadedConfig } from "../config/index.js";
import {
  checkMasterKeys,
  type LoadedMasterKeys,
  type LoadMasterKeysOptions,
  loadMasterKeys,
} from "../credentials/master-key.js";
import { openStore, type Store } from "../store/index.js";
import type { Logger } from "../telemetry/logger.js";

export interface PrepareOptions {
  loaded: LoadedConfig;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Relative storage paths resolve against it. */
  cwd: string;
  /** Receives an admin token generated on first start, to show it once. */
  onGeneratedAdminToken?: (token: string) => void;
  /**
   * A primary process did the one-time work before forking this one (`tollgate serve --workers N`): open the
   * store and read the master keys only, without migrating, bootstrapping or warning again.
   */
  preparedByPrimary?: boolean;
}

export interface PreparedGateway {
  /** Open: the caller closes it. */
  store: Store;
  masterKeys: LoadedMasterKeys;
  /** How the keys were found, to read a rotated key file again. */
  masterKeyOptions: LoadMasterKeysOptions;
}

/**
 * A start's work on the store and the master keys: open the store, apply the migrations, make sure an admin
 * can sign in (a generated token is handed to `onGeneratedAdminToken`, once), read the master keys (creating
 * the key file beside a SQLite database on first start) and check that they open the stored secrets. Done
 * once per machine: by `startGateway`, or by the primary of `--workers N` before it forks, so that workers
 * never race each other on it.
 */
export async function prepareGateway(options: PrepareOptions): Promise<PreparedGateway> {
  const { logger, loaded } = options;
  const storage = loaded.config.storage;
  const store = await openStore(storage.url.reveal(), {
    baseDir: options.cwd,
    connectTimeoutMs: storage.connectTimeout,
    queryTimeoutMs: storage.queryTimeout,
  });
  try {
    const oneTime = !options.preparedByPrimary;
    if (oneTime) await migrateAndBootstrap(store, options);
    const masterKeyOptions: LoadMasterKeysOptions = {
      secrets: loaded.config.secrets,
      env: options.env,
      storageUrl: storage.url.reveal(),
      baseDir: options.cwd,
    };
    const masterKeys = await loadMasterKeys(masterKeyOptions);
    if (oneTime) {
      for (const warning of masterKeys.warnings) logger.warn(warning);
      if (masterKeys.generated) {
        logger.warn(
          { file: masterKeys.keyFile },
          "generated a master key for stored provider keys; back this file up: without it they cannot be read",
        );
      }
      // A wrong master key stops the start here, rather than sending garbage upstream as someone's key.
      await checkMasterKeys(store, masterKeys.ring);
    }
    return { store, masterKeys, masterKeyOptions };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

async function migrateAndBootstrap(store: Store, options: PrepareOptions): Promise<void> {
  const { logger } = options;
  const migration = await store.migrate();
  if (migration.applied.length > 0) {
    logger.info(
      { applied: migration.applied.map((entry) => entry.name), version: migration.version },
      "database migrated",
    );
  }
  const { generatedToken, environmentTokenUnusable } = await bootstrapAdmin(store, options.env);
  if (generatedToken) options.onGeneratedAdminToken?.(generatedToken);
  if (environmentTokenUnusable)
    logger.warn(
      "TOLLGATE_ADMIN_TOKEN holds a value that was revoked or has expired: it does not sign in (set a new value to replace it)",
    );
}
