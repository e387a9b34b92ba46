import { type DestinationStream, type Logger, pino } from "pino";
import { type FlushableSink, TurnBatch } from "./turn-batch.js";

export type { Logger } from "pino";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * Standard output, written asynchronously in batches of at least 4 KiB and at least every
 * 250 ms: one write(2) per request line would cost more than the rest of the request path.
 * Lines reach pino's SonicBoom once per event-loop turn (TurnBatch); both flush on exit.
 */
function bufferedStdout(): DestinationStream {
  const sonic = pino.destination({
    dest: 1,
    sync: false,
    minLength: 4096,
    periodicFlush: 250,
    contentMode: "buffer",
  } as Parameters<typeof pino.destination>[0]) as unknown as FlushableSink;
  return new TurnBatch(sonic);
}

let stampedAt = -1;
let stamp = "";
let secondAt = -1;
let secondPrefix = "";

/**
 * pino's `isoTime`, reusing the formatted second: `toISOString` per line was a visible share of
 * each request line's cost, and lines within one second differ only in their milliseconds.
 */
export function isoTime(): string {
  const now = Date.now();
  if (now === stampedAt) return stamp;
  stampedAt = now;
  const millis = now % 1000;
  const second = now - millis;
  if (second !== secondAt) {
    secondAt = second;
    // "2026-11-21T18:51:23." from "2026-11-21T18:51:23.000Z"
    secondPrefix = `,"time":"${new Date(second).toISOString().slice(0, 20)}`;
  }
  stamp = `${secondPrefix}${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z"`;
  return stamp;
}

/**
 * Credentials never reach the logger as plain values: they are `Secret`s (printing
 * `<redacted>`), request headers are not logged, and upstream error text is scrubbed before
 * it becomes an error message. pino's path redaction is not used: it cost more per request
 * line than the rest of the logging.
 */
export function createLogger(
  options: {
    level?: LogLevel;
    destination?: DestinationStream;
    /** On every line after `service` (a worker process's `worker` id). */
    fields?: Record<string, string | number>;
  } = {},
): Logger {
  const destination = options.destination ?? bufferedStdout();
  const base = { service: "tollgate", ...options.fields };
  const logger = pino(
    {
      level: options.level ?? "info",
      base,
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  destinations.set(logger, { destination, baseJson: JSON.stringify(base).slice(1, -1) });
  return logger;
}

/** A logger's destination and its base fields as JSON members (`"service":"tollgate"`). */
const destinations = new WeakMap<Logger, { destination: DestinationStream; baseJson: string }>();

/**
 * Writes info lines whose fields are already JSON (`"a":1,"b":"x"`), in the format of
 * `createLogger`, straight to its destination: the access log writes one line per request, and
 * pino's generic serialisation of a fields object was most of that line's cost. Other loggers
 * (tests may pass their own) get pino's own path through `logger.info`.
 */
export function preformattedInfo(logger: Logger): (fieldsJson: string, message: string) => void {
  const target = destinations.get(logger);
  if (!target) {
    return (fieldsJson, message) => logger.info(JSON.parse(`{${fieldsJson}}`) as object, message);
  }
  const { destination, baseJson } = target;
  return (fieldsJson, message) => {
    if (!logger.isLevelEnabled("info")) return;
    destination.write(
      `{"level":"info"${isoTime()},${baseJson},${fieldsJson},"msg":${JSON.stringify(message)}}\n`,
    );
  };
}
