import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { embeddedDefaultConfig, formatProblem, type LoadedConfig, loadConfigFile } from "../config/index.js";
import { startGateway } from "../server/gateway.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";

const help = `Usage: tollgate serve [--config FILE] [--host HOST] [--port PORT]

Runs the gateway. The config file also comes from TOLLGATE_CONFIG; without one, the
embedded default (127.0.0.1:8080, data in ./.tollgate/, providers from API keys in the environment).
SIGTERM/SIGINT shut down gracefully; SIGHUP reloads the config file.
`;

async function load(
  configPath: string | undefined,
  io: CommandIO,
): Promise<LoadedConfig | { problems: string[] }> {
  const result = configPath
    ? await loadConfigFile(resolve(io.cwd, configPath), io.env)
    : embeddedDefaultConfig(io.env);
  if (!result.ok) return { problems: result.problems.map(formatProblem) };
  return result;
}

function logWarnings(logger: Logger, loaded: LoadedConfig): void {
  for (const warning of loaded.warnings) logger.warn({ path: warning.path }, formatProblem(warning));
  if (!loaded.catalogue.models.some((model) => model.available)) {
    logger.warn(
      "no model is available: set a provider key in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, …) or configure providers with --config",
    );
  }
}

export async function runServe(args: string[], io: CommandIO): Promise<number> {
  let values: {
    config?: string | undefined;
    host?: string | undefined;
    port?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: "string", short: "c" },
        host: { type: "string" },
        port: { type: "string", short: "p" },
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

  const configPath = values.config ?? (io.env.TOLLGATE_CONFIG || undefined);
  const loaded = await load(configPath, io);
  if ("problems" in loaded) {
    io.stderr(
      `tollgate serve: the configuration${configPath ? ` in ${configPath}` : ""} is invalid:\n${loaded.problems.map((line) => `  ${line}\n`).join("")}`,
    );
    return exitCode.failed;
  }
  const logger = createLogger({ level: loaded.config.telemetry.logging.level });
  logWarnings(logger, loaded);

  const gateway = await startGateway({
    loaded,
    logger,
    env: io.env,
    cwd: io.cwd,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
    onGeneratedAdminToken: (token) =>
      io.stderr(`\nAn admin token was created. It is shown only this once; keep it safe:\n\n  ${token}\n\n`),
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
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
    process.on("SIGHUP", () => {
      if (!configPath) {
        logger.warn("SIGHUP: no config file to reload (running on the embedded default)");
        return;
      }
      load(configPath, io).then(
        (next) => {
          if ("problems" in next) {
            logger.error(
              { problems: next.problems },
              "SIGHUP: the new configuration is invalid; keeping the running one",
            );
            return;
          }
          logWarnings(logger, next);
          return gateway.reload(next);
        },
        (error: unknown) =>
          logger.error({ err: error }, "SIGHUP: reload failed; keeping the running configuration"),
      );
    });
  });
}
