import { describe, expect, test } from "vitest";
import { chooseKey } from "./key-policy.js";

// coder-agents.md's resolution table, row by row: central, user keys allowed, fallback, caller has a key → result.
const table = [
  [true, false, false, false, "central", 1],
  [true, false, false, true, "central", 1],
  [false, true, false, true, "user", 2],
  [false, true, false, false, "none", 3],
  [true, true, false, true, "user", 4],
  [true, true, false, false, "none", 5],
  [true, true, true, true, "user", 6],
  [true, true, true, false, "central", 7],
] as const;

describe("chooseKey", () => {
  test.each(table)(
    "central %s, user keys %s, fallback %s, caller has a key %s → %s (row %i)",
    (centralKey, allowUserKeys, centralKeyFallback, callerHasKey, use, n) => {
      const choice = chooseKey({ centralKey, allowUserKeys, centralKeyFallback }, callerHasKey);
      expect(choice.use).toBe(use);
      expect(choice.row.n).toBe(n);
      expect(choice.row.reason.length).toBeGreaterThan(20);
    },
  );

  test("with user keys off, a saved key is not used (the policy may have changed after it was saved)", () => {
    expect(chooseKey({ centralKey: true, allowUserKeys: false, centralKeyFallback: false }, true).use).toBe(
      "central",
    );
  });
});
