import { describe, expect, test } from "vitest";
import { loadConfig } from "../index.js";

function load(server: unknown) {
  return loadConfig(JSON.stringify({ server }), { env: {} });
}

describe("server.authFailures and server.cors", () => {
  test("defaults: 20 failures a minute, no CORS", () => {
    const result = load({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.server.authFailures).toEqual({ limit: 20, window: 60_000 });
    expect(result.config.server.cors).toBeUndefined();
  });

  test("origins are exact: a wildcard, a path or a trailing slash is refused naming the entry", () => {
    const result = load({
      cors: { origins: ["https://app.example.com", "*", "https://b.example/", "ftp://c"] },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => [problem.path, problem.message.split(";")[0]])).toEqual([
      ["server.cors.origins[1]", "`*` is not allowed"],
      ["server.cors.origins[2]", "`https://b.example/` is not an origin"],
      ["server.cors.origins[3]", "`ftp://c` is not an origin"],
    ]);
  });

  test("a window must be longer than zero; a limit of 0 turns the check off", () => {
    expect(load({ authFailures: { limit: 0 } }).ok).toBe(true);
    const result = load({ authFailures: { limit: 5, window: "0s" } });
    expect(result.ok ? [] : result.problems.map((problem) => problem.path)).toEqual([
      "server.authFailures.window",
    ]);
  });
});
