import type { DestinationStream } from "pino";

/**
 * Readable log lines for a person at a terminal (`tollgate serve --log-format pretty`). pino-pretty is loaded
 * only here, so the JSON path of production deployments never pays for it.
 */
export async function prettyDestination(): Promise<DestinationStream> {
  const { default: pretty } = await import("pino-pretty");
  return pretty({
    colorize: process.stdout.isTTY === true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
    singleLine: true,
  });
}
