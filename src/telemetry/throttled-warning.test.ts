import { describe, expect, it } from "vitest";
import { ThrottledWarning } from "./throttled-warning.js";

describe("throttled warning", () => {
  it("warns when a failure starts, at most once per interval while it lasts, and logs the recovery once", () => {
    const lines: string[] = [];
    let now = 0;
    const logger = {
      warn: (_: object, message: string) => lines.push(`warn ${message}`),
      info: (_: object, message: string) => lines.push(`info ${message}`),
    };
    const warning = new ThrottledWarning(logger, { failing: "down", recovered: "up" }, 60_000, () => now);
    for (let tick = 0; tick < 240; tick++) {
      warning.failure(new Error("x"));
      now += 500;
    }
    expect(lines).toEqual(["warn down", "warn down"]);
    warning.success();
    warning.success();
    warning.failure(new Error("x"));
    expect(lines).toEqual(["warn down", "warn down", "info up", "warn down"]);
  });
});
