import type { Gateway } from "../server/gateway.js";
import type { Logger } from "../telemetry/logger.js";
import type { ConfigSource } from "./config-source.js";
import type { CommandIO } from "./io.js";
import { exitCode } from "./io.js";
import { reloadConfig } from "./serve-context.js";

export interface ServeSignals {
  /** Hands the started gateway over; resolves with the exit code once a SIGTERM/SIGINT has drained it. */
  attach(gateway: Gateway): Promise<number>;
}

/**
 * SIGTERM/SIGINT drain the gateway (its graceful close) and SIGHUP reloads the config file. Installed before the
 * gateway exists (a worker, which its primary may signal while it starts), they act on it once it is attached.
 */
export function serveSignals(source: ConfigSource, io: CommandIO, logger: Logger): ServeSignals {
  let gateway: Gateway | undefined;
  let stopping = false;
  let reloadWhenStarted = false;
  let resolveExit: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const drain = (started: Gateway) =>
    started.close().then(
      () => resolveExit(exitCode.ok),
      (error: unknown) => {
        logger.error({ err: error }, "error while shutting down");
        resolveExit(exitCode.failed);
      },
    );
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    if (gateway) void drain(gateway);
  };
  // `on`, not `once`: a second signal while draining (a terminal's Ctrl-C can arrive twice through a
  // launcher) must not kill the process with requests in flight.
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGHUP", () => {
    if (source.kind === "embedded") {
      logger.warn("SIGHUP: no config file to reload (running on the embedded default)");
      return;
    }
    if (gateway) void reloadConfig(source, io, logger, gateway);
    else reloadWhenStarted = true;
  });
  return {
    attach(started) {
      gateway = started;
      if (stopping) void drain(started);
      else if (reloadWhenStarted) void reloadConfig(source, io, logger, started);
      return exit;
    },
  };
}
