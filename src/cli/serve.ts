import cluster from "node:cluster";
import { parseArgs } from "node:util";
import { redactSecretsInText } from "../config/index.js";
import { startGateway } from "../server/gateway.js";
import { describeSource, describeStore, findConfig } from "./config-source.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";
import {
  announceStartup,
  gatewayOptions,
  LOG_FORMATS,
  type LogFormat,
  loadConfigSource,
  logWarnings,
  printGeneratedAdminToken,
  redactError,
  type ServeContext,
  serveLogger,
} from "./serve-context.js";
import { serveSignals } from "./serve-signals.js";
import { serveWorker } from "./serve-worker.js";
import { checkWorkersSetup, parseWorkerCount, servePrimary } from "./serve-workers.js";
import { startupFacts } from "./startup-summary.js";

export { redactError, reloadConfig } from "./serve-context.js";

const help = `Usage: tollgate serve [--config FILE] [--host HOST] [--port PORT] [--workers N|auto] [--log-format pretty|json]

Runs the gateway. The config file is FILE, else $TOLLGATE_CONFIG, else ./tollgate.jsonc when it exists;
without one, the embedded default (127.0.0.1:8080, data in ./.tollgate/, providers from API keys in the
environment). Logs are JSON lines on standard output, or readable lines with --log-format pretty (the default
when standard output is a terminal).
--workers N runs N worker processes on the one port (auto: one per CPU available; default 1). More than one
needs redis.url in the config, so that limits stay exact across them; a worker that exits is replaced.
SIGTERM/SIGINT shut down gracefully; SIGHUP reloads the config file.
`;

export async function runServe(args: string[], io: CommandIO): Promise<number> {
  let values: {
    config?: string | undefined;
    host?: string | undefined;
    port?: string | undefined;
    workers?: string | undefined;
    "log-format"?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: "string", short: "c" },
        host: { type: "string" },
        port: { type: "string", short: "p" },
        workers: { type: "string", short: "w" },
        "log-format": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    io.stdout(help);
    return exitCode.ok;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(`--port must be a port number (0-65535), got \`${values.port}\``);
  }
  const requestedFormat = values["log-format"];
  if (requestedFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(requestedFormat)) {
    throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(", ")}, got \`${requestedFormat}\``);
  }
  const logFormat: LogFormat = (requestedFormat as LogFormat | undefined) ?? (io.isTTY ? "pretty" : "json");
  const workers = parseWorkerCount(values.workers);

  const source = await findConfig(values.config, io.env, io.cwd);
  const loaded = await loadConfigSource(source, io);
  if ("problems" in loaded) {
    io.stderr(
      `tollgate serve: the configuration in ${describeSource(source)} is invalid:\n${loaded.problems.map((line) => `  ${line}\n`).join("")}`,
    );
    return exitCode.failed;
  }
  checkWorkersSetup(workers, values.workers, loaded, source, io.cwd);
  const context: ServeContext = { io, source, loaded, logFormat, host: values.host, port };
  // A worker forked by the primary runs this command again, with the same arguments.
  if (cluster.isWorker) return serveWorker(context);

  const logger = await serveLogger(context);
  logger.info(
    {
      config: describeSource(source),
      store: redactSecretsInText(describeStore(loaded.config.storage.url.reveal(), io.cwd)),
    },
    "starting",
  );
  logWarnings(logger, loaded);
  if (workers > 1) return servePrimary(context, logger, workers);

  // The exit message of a failed start may quote storage.url (a `?password=` the store's redaction misses).
  const gateway = await startGateway({
    ...gatewayOptions(context, logger),
    onGeneratedAdminToken: printGeneratedAdminToken(io),
    onListening: (url, live) =>
      announceStartup(
        context,
        logger,
        startupFacts(url, describeSource(source), loaded, io.cwd, live.credentials),
      ),
  }).catch((error: unknown) => {
    throw redactError(error);
  });
  return serveSignals(source, io, logger).attach(gateway);
}
