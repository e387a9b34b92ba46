import type { UsageRow, UsageTotals } from "../api/types.js";

/**
 * A row's totals at zero. The server keeps the same list (src/admin/usage-view.ts); the console is built on its
 * own (web/tsconfig.json) and cannot import server code, so it is here again. Typed as UsageTotals, it cannot
 * miss a total the console's type has.
 */
const ZERO: UsageTotals = {
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costUsd: 0,
};
const TOTALS = Object.keys(ZERO) as (keyof UsageTotals)[];

/**
 * Sums of finer rows per value of one group key. The page asks once for rows per bucket, actor and model and
 * rolls them up here: the charts and both top lists then come from the same answer, so they always agree
 * (three requests could straddle a usage write and show a request in one table and not the other).
 */
export function rollUp(rows: readonly UsageRow[], key: string): UsageRow[] {
  const groups = new Map<string | number | null, UsageRow>();
  for (const row of rows) {
    const value = row[key] ?? null;
    let sum = groups.get(value);
    if (!sum) {
      sum = { [key]: value, ...ZERO } as UsageRow;
      groups.set(value, sum);
    }
    for (const total of TOTALS) sum[total] += row[total];
  }
  return [...groups.values()];
}
