import type { KeyPolicy } from "../config/index.js";

/**
 * Which credential a caller's request to one provider uses (coder-agents.md, "Key policy"): the seven rows
 * of the resolution table, as a pure function. A caller's own key always wins when the policy allows it;
 * the central credentials serve everyone when user keys are off, and users without a key only as a fallback.
 */
export type KeyChoice =
  | { use: "central"; row: PolicyRow }
  | { use: "user"; row: PolicyRow }
  | { use: "none"; row: PolicyRow };

/** A row of the table (1 to 7, in coder-agents.md's order) and what it means, for `explain`. */
export interface PolicyRow {
  readonly n: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  readonly reason: string;
}

const rows = {
  1: "central key on, user keys off: everyone uses the central credentials",
  2: "central key off, user keys on: the caller's own key",
  3: "central key off, user keys on, and the caller has saved no key",
  4: "central key and user keys on: the caller's own key wins",
  5: "central key and user keys on without fallback, and the caller has saved no key",
  6: "user keys on with central fallback: the caller's own key wins",
  7: "user keys on with central fallback, and the caller has saved no key: the central credentials",
} as const;

function row(n: PolicyRow["n"]): PolicyRow {
  return { n, reason: rows[n] };
}

export function chooseKey(policy: KeyPolicy, callerHasKey: boolean): KeyChoice {
  if (!policy.allowUserKeys) return { use: "central", row: row(1) };
  if (!policy.centralKey) return callerHasKey ? { use: "user", row: row(2) } : { use: "none", row: row(3) };
  if (!policy.centralKeyFallback)
    return callerHasKey ? { use: "user", row: row(4) } : { use: "none", row: row(5) };
  return callerHasKey ? { use: "user", row: row(6) } : { use: "central", row: row(7) };
}
