import { formatResetDuration, type LimitsSnapshot, type WindowUsage } from "../../limits/index.js";
import type { Feature } from "../../routing/feature.js";
import { type CodyFeature, codyFeatures } from "./cody-feature.js";

/** One feature's entry of Cody Gateway's `GET /v1/limits` (reference/cody.md §1.6). */
export interface CodyLimitView {
  limit: number;
  /** A Go duration string: `24h0m0s`, `1m0s`, `30s`. */
  interval: string;
  usage: number;
  /** RFC 3339; absent while nothing was used. */
  expiry?: string;
  allowedModels: string[];
}

export type CodyLimitsView = Partial<Record<CodyFeature, CodyLimitView>>;

export interface CodyLimitsInput {
  feature: Feature;
  snapshot: LimitsSnapshot;
  allowedModels: string[];
}

/**
 * Cody's limit is one window per feature: requests for completions, tokens for embeddings (Cody counts embedding
 * tokens). A feature with only the other kind of window shows that one.
 */
function windowFor(feature: Feature, snapshot: LimitsSnapshot): WindowUsage | undefined {
  return feature === "embeddings"
    ? (snapshot.tokens ?? snapshot.requests)
    : (snapshot.requests ?? snapshot.tokens);
}

const codyNames = new Map<Feature, CodyFeature>(
  Object.entries(codyFeatures).map(([cody, feature]) => [feature, cody as CodyFeature]),
);

/**
 * `GET /v1/limits` for a Cody token, from Tollgate's limits of its actor: keyed by Cody's features; a feature
 * without a request or token window (unlimited, or limited only by concurrency or budget) is left out, as Cody
 * leaves out features it grants no access to.
 */
export function codyLimitsView(entries: readonly CodyLimitsInput[]): CodyLimitsView {
  const view: CodyLimitsView = {};
  for (const { feature, snapshot, allowedModels } of entries) {
    const cody = codyNames.get(feature);
    const window = windowFor(feature, snapshot);
    if (!cody || !window) continue;
    view[cody] = {
      limit: window.limit,
      interval: formatResetDuration(window.intervalMs),
      usage: window.usage,
      ...(window.usage > 0 && { expiry: new Date(window.resetAt).toISOString() }),
      allowedModels,
    };
  }
  return view;
}
