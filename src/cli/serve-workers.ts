import { availableParallelism } from "node:os";
import type { LoadedConfig } from "../config/index.js";
import { WorkerPool } from "../server/cluster-pool.js";
import { prepareGateway } from "../server/gateway-prepare.js";
import { parseStorageUrl } from "../store/index.js";
import type { Logger } from "../telemetry/logger.js";
import { type ConfigSource, describeSource } from "./config-source.js";
import { UsageError } from "./io.js";
import {
  announceStartup,
  printGeneratedAdminToken,
  redactError,
  type ServeContext,
} from "./serve-context.js";
import type { StartupFacts } from "./startup-summary.js";

/** `--workers`: a number of processes (1 or more), or `auto` for the CPUs this process may use; default 1. */
export function parseWorkerCount(text: string | undefined): number {
  if (text === undefined) return 1;
  if (text === "auto") return availableParallelism();
  const count = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(count) && count >= 1)) {
    throw new UsageError(`--workers must be a number of processes (1 or more) or \`auto\`, got \`${text}\``);
  }
  return count;
}

/**
 * More than one worker needs the state they share kept outside them: limits in Redis (each worker counting
 * in its own memory would admit N times the limit) and a store they all reach (`sqlite::memory:` is one per
 * process).
 */
export function checkWorkersSetup(
  workers: number,
  requested: string | undefined,
  loaded: LoadedConfig,
  source: ConfigSource,
  cwd: string,
): void {
  if (workers <= 1) return;
  const flag = requested === "auto" ? `--workers auto (${workers} here)` : `--workers ${workers}`;
  if (!loaded.config.redis) {
    const fix =
      source.kind === "embedded"
        ? "the embedded default has none: use a config file that sets redis.url"
        : `set redis.url in ${describeSource(source)}`;
    throw new UsageError(
      `${flag} needs Redis so that limits stay exact across the workers; ${fix}, or run --workers 1`,
    );
  }
  const storage = parseStorageUrl(loaded.config.storage.url.reveal(), cwd);
  if (storage.kind === "sqlite" && storage.path === ":memory:") {
    throw new UsageError(
      `${flag} needs a store the workers share: storage.url sqlite::memory: is private to each process`,
    );
  }
}

/**
 * The primary of `tollgate serve --workers N`: the one-time work of a start (migrations, the admin's bootstrap
 * and its token printed once, the master key file), then N workers on one port (node:cluster), restarted when
 * one exits unexpectedly; SIGHUP reaches every worker, SIGTERM/SIGINT drain them all.
 */
export async function servePrimary(context: ServeContext, logger: Logger, workers: number): Promise<number> {
  const { io, loaded } = context;
  const prepared = await prepareGateway({
    loaded,
    logger,
    env: io.env,
    cwd: io.cwd,
    onGeneratedAdminToken: printGeneratedAdminToken(io),
  }).catch((error: unknown) => {
    throw redactError(error);
  });
  await prepared.store.close();

  const pool = new WorkerPool<StartupFacts>({
    size: workers,
    logger,
    onListening: (facts) => announceStartup(context, logger, { ...facts, workers }),
  });
  // `on`, not `once`: a second signal must not kill the primary while its workers drain.
  process.on("SIGTERM", () => pool.stop("SIGTERM"));
  process.on("SIGINT", () => pool.stop("SIGINT"));
  process.on("SIGHUP", () => pool.reload());
  pool.start();
  return pool.finished;
}
