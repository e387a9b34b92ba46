import { describe, expect, it } from "vitest";
import { MAX_DURATION_MS, parseDuration } from "./duration.js";
import { loadConfig } from "./index.js";

function problems(text: string): string[] {
  const result = loadConfig(text, { env: {} });
  return result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
}

describe("durations have an upper bound (issue 15)", () => {
  it("parses up to ten years; beyond, the config names the field and the bound", () => {
    expect(parseDuration("3650d")).toBe(MAX_DURATION_MS);
    expect(
      problems('{ "limits": { "defaults": { "chat": { "requests": 5, "interval": "3650d" } } } }'),
    ).toEqual([]);
    // Accepted before: the limiter's window then never fit a date or a Redis expiry, and the actor was refused.
    expect(
      problems(
        '{ "limits": { "defaults": { "chat": { "requests": 5, "interval": "99999999999999999999d" } } } }',
      ),
    ).toContain("limits.defaults.chat.interval: must be at most 3650d (10 years)");
    expect(
      problems(
        '{ "actors": [{ "id": "a", "role": "user", "limits": { "*": { "tokens": 5, "interval": "3651d" } } }] }',
      ),
    ).toContain('actors[0].limits["*"].interval: must be at most 3650d (10 years)');
    expect(problems('{ "server": { "shutdownTimeout": "87600001h" } }')).toContain(
      "server.shutdownTimeout: must be at most 3650d (10 years)",
    );
  });
});
