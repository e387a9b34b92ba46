import { AccessError } from "../auth/access-admin.js";
import { formatPath } from "../config/index.js";
import { type FeatureEdit, sameInterval } from "./actors-flags.js";

/**
 * One feature's limit changed on top of the actor's stored limits (their written form, intervals as "1m"): the
 * fields given replace theirs, the others stay. A limit has one interval for its requests and its tokens, so a
 * new interval for one of them while the other keeps an old one is refused rather than silently re-timing it.
 */
export function withFeatureEdit(
  stored: Record<string, unknown> | null,
  edit: FeatureEdit,
): Record<string, unknown> | null {
  const limits: Record<string, unknown> = { ...(stored ?? {}) };
  if (edit.clear) {
    delete limits[edit.feature];
    return Object.keys(limits).length === 0 ? null : limits;
  }
  const current = limits[edit.feature];
  const limit: Record<string, unknown> =
    current !== null && typeof current === "object" && !Array.isArray(current) ? { ...current } : {};
  const interval = edit.requests?.interval ?? edit.tokens?.interval;
  if (interval !== undefined) {
    for (const kept of ["requests", "tokens"] as const) {
      if (edit[kept] !== undefined || limit[kept] === undefined) continue;
      const old = String(limit.interval);
      if (sameInterval(old, interval)) continue;
      const other = kept === "requests" ? "tokens" : "requests";
      const field = formatPath(["limits", edit.feature, "interval"]);
      throw new AccessError(
        "invalid",
        `${field}: ${edit.feature}'s ${kept} limit (${String(limit[kept])} per ${old}) shares one interval with its ${other}; give --${kept} too (e.g. --${kept} ${String(limit[kept])}/${interval}), or set the whole limit with --limits`,
        field,
      );
    }
    limit.interval = interval;
  }
  if (edit.requests !== undefined) limit.requests = edit.requests.count;
  if (edit.tokens !== undefined) limit.tokens = edit.tokens.count;
  if (edit.concurrent !== undefined) limit.concurrent = edit.concurrent;
  limits[edit.feature] = limit;
  return limits;
}
