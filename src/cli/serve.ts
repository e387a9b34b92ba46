import { parseArgs } from "node:util";
import { formatProblem, type LoadedConfig, redactSecretsInText } from "../config/index.js";
import { type Gateway, startGateway } from "../server/gateway.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { prettyDestination } from "../telemetry/pretty.js";
import {
  type ConfigSource,
  describeSource,
  describeStore,
  findConfig,
  loadFromSource,
} from "./config-source.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";
import { formatStartupSummary, startupFacts } from "./startup-summary.js";

const help = `Usage: tollgate serve [--config FILE] [--host HOST] [--port PORT] [--log-format pretty|json]

Runs the gateway. The config file is FILE, else $TOLLGATE_CONFIG, else ./tollgate.jsonc when it exists;
without one, the embedded default (127.0.0.1:8080, data in ./.tollgate/, providers from API keys in the
environment). Logs are JSON lines on standard output, or readable lines with --log-format pretty (the default
when standard output is a terminal).
SIGTERM/SIGINT shut down gracefully; SIGHUP reloads the config file.
`;

const LOG_FORMATS = ["pretty", "json"] as const;
type LogFormat = (typeof LOG_FORMATS)[number];

async function load(source: ConfigSource, io: CommandIO): Promise<LoadedConfig | { problems: string[] }> {
  const result = await loadFromSource(source, io.env);
  if (!result.ok) return { problems: result.problems.map(formatProblem) };
  return result;
}

/**
 * The error with URL passwords and secret query parameters taken out of its message and stack (and its causes'),
 * for a log line or the exit message: a store or Redis error may quote the URL it was given.
 */
export function redactError(error: unknown): unknown {
  if (!(error instanceof Error)) return redactSecretsInText(String(error));
  error.message = redactSecretsInText(error.message);
  if (error.stack) error.stack = redactSecretsInText(error.stack);
  if (error.cause !== undefined) error.cause = redactError(error.cause);
  return error;
}

/** SIGHUP: the file read again; an invalid one, or a reload that fails, is logged and the running one kept. */
export async function reloadConfig(
  source: ConfigSource,
  io: CommandIO,
  logger: Logger,
  gateway: Pick<Gateway, "reload">,
): Promise<void> {
  try {
    const next = await load(source, io);
    if ("problems" in next) {
      logger.error(
        { problems: next.problems },
        "SIGHUP: the new configuration is invalid; keeping the running one",
      );
      return;
    }
    logWarnings(logger, next);
    await gateway.reload(next);
  } catch (error) {
    logger.error({ err: redactError(error) }, "SIGHUP: reload failed; keeping the running configuration");
  }
}

function logWarnings(logger: Logger, loaded: LoadedConfig): void {
  for (const warning of loaded.warnings) logger.warn({ path: warning.path }, formatProblem(warning));
  if (!loaded.catalogue.models.some((model) => model.available)) {
    logger.warn(
      "no model is available: set a provider key in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, …) or configure providers in tollgate.jsonc (see tollgate.example.jsonc)",
    );
  }
}

export async function runServe(args: string[], io: CommandIO): Promise<number> {
  let values: {
    config?: string | undefined;
    host?: string | undefined;
    port?: string | undefined;
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

  const source = await findConfig(values.config, io.env, io.cwd);
  const loaded = await load(source, io);
  if ("problems" in loaded) {
    io.stderr(
      `tollgate serve: the configuration in ${describeSource(source)} is invalid:\n${loaded.problems.map((line) => `  ${line}\n`).join("")}`,
    );
    return exitCode.failed;
  }
  const logger = createLogger({
    level: loaded.config.telemetry.logging.level,
    ...(logFormat === "pretty" ? { destination: await prettyDestination() } : {}),
  });
  logger.info(
    {
      config: describeSource(source),
      store: redactSecretsInText(describeStore(loaded.config.storage.url.reveal(), io.cwd)),
    },
    "starting",
  );
  logWarnings(logger, loaded);

  // The exit message of a failed start may quote storage.url (a `?password=` the store's redaction misses).
  const gateway = await startGateway({
    loaded,
    logger,
    env: io.env,
    cwd: io.cwd,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
    ...(source.kind === "embedded" ? {} : { readConfigFile: () => loadFromSource(source, io.env) }),
    onGeneratedAdminToken: (token) =>
      io.stderr(`\nAn admin token was created. It is shown only this once; keep it safe:\n\n  ${token}\n\n`),
    onListening: (url, live) => {
      const facts = startupFacts(url, describeSource(source), loaded, io.cwd, live.credentials);
      // A person at a terminal reads the summary; a log collector gets the same facts as one JSON line.
      if (logFormat === "pretty") io.stderr(formatStartupSummary(facts));
      else logger.info(facts, "tollgate listening");
    },
  }).catch((error: unknown) => {
    throw redactError(error);
  });

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "shutting down");
      gateway.close().then(
        () => resolveExit(exitCode.ok),
        (error: unknown) => {
          logger.error({ err: error }, "error while shutting down");
          resolveExit(exitCode.failed);
        },
      );
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
      void reloadConfig(source, io, logger, gateway);
    });
  });
}
