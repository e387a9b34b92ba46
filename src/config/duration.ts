const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * The longest duration Tollgate accepts anywhere: ten years (3650d). Longer ones overflow what they feed (a
 * token's expiry date, a limit window's reset time and Redis expiry) and only ever mean "never", which each
 * setting spells its own way (no expiry, no limit, a retention of 0). Issue 15: `"99999999999999d"`.
 */
export const MAX_DURATION_MS = 3650 * UNITS.d;
export const MAX_DURATION_TEXT = "3650d (10 years)";

/** `"30s"` → 30000. Returns undefined for anything that is not `<number><ms|s|m|h|d>`. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const milliseconds = Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
  return Number.isFinite(milliseconds) ? Math.round(milliseconds) : undefined;
}

/** What is wrong with a parsed duration's size, for a message after the field's name; undefined when nothing is. */
export function durationBoundProblem(milliseconds: number): string | undefined {
  return milliseconds > MAX_DURATION_MS ? `must be at most ${MAX_DURATION_TEXT}` : undefined;
}

export function formatDuration(milliseconds: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (milliseconds >= size && milliseconds % size === 0) return `${milliseconds / size}${unit}`;
  }
  return `${milliseconds}ms`;
}
