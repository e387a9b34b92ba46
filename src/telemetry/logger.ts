import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * Paths pino blanks out wherever they appear in a log line. Credentials are `Secret`
 * values that print `<redacted>` anyway; this catches raw headers and bodies.
 */
const redactPaths = [
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  "headers.authorization",
  'headers["x-api-key"]',
  'headers["api-key"]',
  "*.accessToken",
  "*.apiKey",
  "*.token",
  "token",
];

export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "tollgate" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: "<redacted>" },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
