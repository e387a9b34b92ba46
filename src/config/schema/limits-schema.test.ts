import { describe, expect, it } from "vitest";
import { loadConfig } from "../index.js";

describe("limits and redis settings", () => {
  it("fails open by default when Redis is unreachable", () => {
    const result = loadConfig('{ "redis": { "url": "redis://127.0.0.1:6379" } }', { env: {} });
    expect(result.ok && result.config.redis?.failMode).toBe("open");
  });

  it("refuses a zero interval, naming the field", () => {
    const result = loadConfig(
      '{ "limits": { "defaults": { "chat": { "requests": 5, "interval": "0s" } } } }',
      { env: {} },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => `${problem.path}: ${problem.message}`)).toContain(
      "limits.defaults.chat.interval: must be longer than zero",
    );
  });
});
