import { formatDuration } from "../config/duration.js";
import {
  type ActorConfig,
  type Budget,
  type FeatureLimits,
  featureLimits,
} from "../config/schema/tollgate.js";
import type { ActorRecord, ActorRole, ActorSource, ActorStatus } from "../store/index.js";
import { compileModelGlobs } from "./model-glob.js";

export type { ActorRole, ActorSource, ActorStatus } from "../store/index.js";

/**
 * A caller of the gateway, resolved from whichever source defines it and ready for the request path:
 * allowed models compiled, limits parsed (intervals in milliseconds, as the config gives them).
 */
export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly role: ActorRole;
  readonly status: ActorStatus;
  /** The `allowedModels` globs as written; `null` means every model. */
  readonly allowedModels: readonly string[] | null;
  /** Per-feature limits for the limiter; absent means `limits.defaults` apply. */
  readonly limits: FeatureLimits | undefined;
  readonly budget: Budget | undefined;
  readonly source: ActorSource;
  /** For `external` actors: the `actors.sources[].id` that defined it. */
  readonly sourceId?: string;
  /** @internal compiled `allowedModels`; use `isModelAllowed`. */
  readonly modelMatcher: ((ref: string) => boolean) | null;
}

/** Whether the actor may use the model with this ref (`provider::apiVersion::modelId`). */
export function isModelAllowed(actor: Actor, ref: string): boolean {
  return actor.modelMatcher === null || actor.modelMatcher(ref);
}

export interface ActorFields {
  id: string;
  name?: string | undefined;
  role: ActorRole;
  status: ActorStatus;
  allowedModels?: readonly string[] | null | undefined;
  limits?: FeatureLimits | undefined;
  budget?: Budget | undefined;
  source: ActorSource;
  sourceId?: string | undefined;
}

export function makeActor(fields: ActorFields): Actor {
  const allowedModels = fields.allowedModels ?? null;
  return Object.freeze({
    id: fields.id,
    name: fields.name || fields.id,
    role: fields.role,
    status: fields.status,
    allowedModels,
    limits: fields.limits,
    budget: fields.budget,
    source: fields.source,
    ...(fields.sourceId === undefined ? {} : { sourceId: fields.sourceId }),
    modelMatcher: allowedModels === null ? null : compileModelGlobs(allowedModels),
  });
}

export function actorFromConfig(
  entry: ActorConfig,
  source: ActorSource = "config",
  sourceId?: string,
): Actor {
  return makeActor({ ...entry, source, sourceId });
}

/**
 * The store keeps limits as written in the config (durations as `"1m"`), so the admin API shows what
 * an operator would type. A stored shape that no longer parses makes the actor unusable (disabled)
 * rather than unlimited: failing closed is the safe side for spending.
 */
export function actorFromRecord(record: ActorRecord): Actor {
  let limits: FeatureLimits | undefined;
  let status = record.status;
  if (record.limits !== null) {
    const parsed = featureLimits.safeParse(record.limits);
    if (parsed.success) limits = parsed.data;
    else status = "disabled";
  }
  let budget: Budget | undefined;
  if (record.budget !== null) {
    const value = record.budget as Partial<Budget>;
    if (typeof value.usd === "number" && ["day", "week", "month"].includes(value.period as string)) {
      budget = { usd: value.usd, period: value.period as Budget["period"] };
    } else status = "disabled";
  }
  return makeActor({
    id: record.id,
    name: record.name,
    role: record.role,
    status,
    allowedModels: record.allowedModels,
    limits,
    budget,
    source: record.source,
  });
}

/** Limits back in their written form (intervals as durations), for the store and the admin API. */
export function limitsForStorage(limits: FeatureLimits | undefined): Record<string, unknown> | null {
  if (!limits) return null;
  const out: Record<string, unknown> = {};
  for (const [feature, limit] of Object.entries(limits)) {
    if (!limit) continue;
    out[feature] = {
      ...limit,
      ...(limit.interval === undefined ? {} : { interval: formatDuration(limit.interval) }),
    };
  }
  return out;
}
