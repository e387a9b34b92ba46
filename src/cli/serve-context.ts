import { formatProblem, type LoadedConfig, redactSecretsInText } from "../config/index.js";
import type { Gateway, GatewayOptions } from "../server/gateway.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { prettyDestination } from "../telemetry/pretty.js";
import { type ConfigSource, loadFromSource } from "./config-source.js";
import type { CommandIO } from "./io.js";
import { formatStartupSummary, type StartupFacts } from "./startup-summary.js";

export const LOG_FORMATS = ["pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What every process of `tollgate serve` (the single one, the primary, a worker) starts from. */
export interface ServeContext {
  io: CommandIO;
  source: ConfigSource;
  loaded: LoadedConfig;
  logFormat: LogFormat;
  /** `--host`, `--port`. */
  host?: string | undefined;
  port?: number | undefined;
}

export async function loadConfigSource(
  source: ConfigSource,
  io: CommandIO,
): Promise<LoadedConfig | { problems: string[] }> {
  const result = await loadFromSource(source, io.env);
  if (!result.ok) return { problems: result.problems.map(formatProblem) };
  return result;
}

/** JSON lines, or readable ones; `fields` on every line (a worker's id). */
export async function serveLogger(
  context: ServeContext,
  fields?: Record<string, string | number>,
): Promise<Logger> {
  return createLogger({
    level: context.loaded.config.telemetry.logging.level,
    ...(context.logFormat === "pretty" ? { destination: await prettyDestination() } : {}),
    ...(fields ? { fields } : {}),
  });
}

/** The gateway's options that come from the command line and the config source. */
export function gatewayOptions(context: ServeContext, logger: Logger): GatewayOptions {
  const { io, source } = context;
  return {
    loaded: context.loaded,
    logger,
    env: io.env,
    cwd: io.cwd,
    ...(context.host === undefined ? {} : { host: context.host }),
    ...(context.port === undefined ? {} : { port: context.port }),
    ...(source.kind === "embedded" ? {} : { readConfigFile: () => loadFromSource(source, io.env) }),
  };
}

export function printGeneratedAdminToken(io: CommandIO): (token: string) => void {
  return (token) =>
    io.stderr(`\nAn admin token was created. It is shown only this once; keep it safe:\n\n  ${token}\n\n`);
}

/** A person at a terminal reads the summary; a log collector gets the same facts as one JSON line. */
export function announceStartup(context: ServeContext, logger: Logger, facts: StartupFacts): void {
  if (context.logFormat === "pretty") context.io.stderr(formatStartupSummary(facts));
  else logger.info(facts, "tollgate listening");
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
    const next = await loadConfigSource(source, io);
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

export function logWarnings(logger: Logger, loaded: LoadedConfig): void {
  for (const warning of loaded.warnings) logger.warn({ path: warning.path }, formatProblem(warning));
  if (!loaded.catalogue.models.some((model) => model.available)) {
    logger.warn(
      "no model is available: set a provider key in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, …) or configure providers in tollgate.jsonc (see tollgate.example.jsonc)",
    );
  }
}
