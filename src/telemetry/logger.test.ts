import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createLogger, isoTime, preformattedInfo } from "./logger.js";

function memory() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe("preformattedInfo", () => {
  it("writes the same line pino would, apart from field order", () => {
    const { lines, destination } = memory();
    const logger = createLogger({ destination });
    const write = preformattedInfo(logger);
    write(`"requestId":"r-1","status":200,"actor":${JSON.stringify('a "quoted" actor')}`, "request");
    logger.info({ requestId: "r-1", status: 200, actor: 'a "quoted" actor' }, "request");
    expect(lines).toHaveLength(2);
    const [fast, reference] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(fast).toEqual({ ...reference, time: fast?.time });
    expect(lines[0]?.endsWith("}\n")).toBe(true);
  });

  it("honours the logger's level", () => {
    const { lines, destination } = memory();
    const logger = createLogger({ level: "warn", destination });
    preformattedInfo(logger)(`"status":200`, "request");
    expect(lines).toEqual([]);
    logger.level = "info";
    preformattedInfo(logger)(`"status":200`, "request");
    expect(lines).toHaveLength(1);
  });

  it("falls back to logger.info for loggers made elsewhere", () => {
    const { lines, destination } = memory();
    const logger = pino({ base: null, timestamp: false }, destination);
    preformattedInfo(logger)(`"status":201`, "request");
    expect(JSON.parse(lines[0] ?? "")).toEqual({ level: 30, status: 201, msg: "request" });
  });
});

describe("log time stamps", () => {
  it("match toISOString at every millisecond of a second", () => {
    const realNow = Date.now;
    try {
      for (const at of [Date.UTC(2026, 10, 21, 18, 51, 23, 0), Date.UTC(2026, 10, 21, 18, 51, 23, 7)]) {
        for (const offset of [0, 9, 10, 99, 100, 999, 1000, 61_001]) {
          Date.now = () => at + offset;
          expect(isoTime()).toBe(`,"time":"${new Date(at + offset).toISOString()}"`);
        }
      }
    } finally {
      Date.now = realNow;
    }
  });
});
