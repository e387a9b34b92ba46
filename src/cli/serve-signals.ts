import type { Gateway } from "../server/gateway.js";
import type { Logger } from "../telemetry/logger.js";
import type { ConfigSource } from "./config-source.js";
import type { CommandIO } from "./io.js";
import { exitCode } from "./io.js";
import { reloadConfig } from "./serve-context.js";
import { releaseHeldSignals } from "./serve-held-signals.js";

export interface ServeSignals {
  /** Hands the started gateway over; resolves with the exit code once a SIGTERM/SIGINT has drained it. */
  attach(gateway: Gateway): Promise<number>;
  /** Resolves with 0 when SIGTERM/SIGINT arrives before a gateway is attached: a start has nothing to drain. */
  stoppedWhileStarting: Promise<number>;
}

/**
 * SIGTERM/SIGINT drain the gateway (its graceful close) and SIGHUP reloads the config file. Installed before the
 * gateway exists (a worker, which its primary may signal while it starts), they act on it once it is attached;
 * signals held since the worker's first line (`holdSignals`) are taken over.
 */
export function serveSignals(source: ConfigSource, io: CommandIO, logger: Logger): ServeSignals {
  let gateway: Gateway | undefined;
  let stopping = false;
  let reloadWhenStarted = false;
  let resolveExit: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  let resolveStopped: (code: number) => void = () => {};
  const stoppedWhileStarting = new Promise<number>((resolve) => {
    resolveStopped = resolve;
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
    logger.info(gateway ? { signal } : { signal, beforeListening: true }, "shutting down");
    if (gateway) void drain(gateway);
    else resolveStopped(exitCode.ok);
  };
  const reload = () => {
    if (source.kind === "embedded") {
      logger.warn("SIGHUP: no config file to reload (running on the embedded default)");
      return;
    }
    if (gateway) void reloadConfig(source, io, logger, gateway);
    else reloadWhenStarted = true;
  };
  // `on`, not `once`: a second signal while draining (a terminal's Ctrl-C can arrive twice through a
  // launcher) must not kill the process with requests in flight.
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGHUP", reload);
  const held = releaseHeldSignals();
  if (held.stop) stop(held.stop);
  if (held.reload) reload();
  return {
    attach(started) {
      gateway = started;
      if (stopping) void drain(started);
      else if (reloadWhenStarted) void reloadConfig(source, io, logger, started);
      return exit;
    },
    stoppedWhileStarting,
  };
}
