import type { z } from "zod";
import { SELF_HOSTED_DEFAULTS } from "../catalogue/self-hosted.js";
import type { Catalogue, DefaultModels } from "../catalogue/types.js";
import { parseModelRef } from "../model-ref.js";
import { formatPath, type PathSegment, type Severity } from "../problems.js";
import { checkCodyGatewayRoutes, modelOverride, providerOverride } from "../schema/model-configuration.js";
import type { TollgateConfig } from "../schema/tollgate.js";
import type { Environment } from "./interpolate.js";
import { type CatalogueAdditions, resolveCatalogue } from "./load-config.js";

/** Providers, models and defaults kept in the store (made through the admin API), as stored. */
export interface StoredCatalogue {
  providers: readonly { id: string; body: unknown }[];
  models: readonly { id: string; body: unknown }[];
  defaults: Partial<Record<keyof DefaultModels, string>>;
}

export type StoredKind = "provider" | "model" | "defaults";

/** A problem of one stored entry: `field` is its path inside the entry (`serverSideConfig.endpoint`). */
export interface StoredProblem {
  kind: StoredKind;
  /** The provider id, the model ref, or (defaults) the feature. */
  id: string;
  field: string;
  message: string;
  severity: Severity;
}

export interface StoredResolution {
  catalogue: Catalogue;
  /** Problems of stored entries; an entry that does not parse, or that the file declares too, is left out. */
  problems: StoredProblem[];
  /** Errors elsewhere (not expected: the file's own entries loaded before). */
  otherErrors: string[];
}

/** The file's configuration as loaded: its settings and the catalogue resolved from them alone. */
export interface FileConfiguration {
  config: TollgateConfig;
  catalogue: Catalogue;
}

/** The model refs the file declares itself: `modelOverrides`, and the models its self-hosted entries make. */
export function fileModelRefs(config: TollgateConfig): Set<string> {
  const file = config.modelConfiguration;
  const refs = new Set((file?.modelOverrides ?? []).map((entry) => entry.modelRef));
  for (const entry of file?.selfHostedModels ?? []) {
    const defaults = SELF_HOSTED_DEFAULTS[entry.model];
    if (defaults) refs.add(`${entry.provider}::${entry.apiVersion}::${defaults.modelName}`);
  }
  for (const ref of file?.modelOverridesRecommendedSettings ?? []) {
    const parsed = parseModelRef(ref);
    const defaults = parsed.ok ? SELF_HOSTED_DEFAULTS[`${parsed.ref.modelId}@v1`] : undefined;
    if (parsed.ok && defaults)
      refs.add(`${parsed.ref.providerId}::${parsed.ref.apiVersion}::${defaults.modelName}`);
  }
  return refs;
}

/**
 * Resolves the file's configuration together with the stored entries, through the same code as a config load,
 * so an entry made through the API meets the file's rules and messages (Cody Gateway's routes included).
 * Stored entries the file's catalogue already has (declared there, or built in) are left out: the file wins.
 * Problems are mapped back to the entry they belong to, with the path inside it.
 */
export function resolveWithStored(
  file: FileConfiguration,
  env: Environment,
  stored: StoredCatalogue,
): StoredResolution {
  const problems: StoredProblem[] = [];
  const providers = parseEntries("provider", stored.providers, providerOverride, problems, (id) =>
    file.catalogue.provider(id),
  );
  const models = parseEntries("model", stored.models, modelOverride, problems, (id) =>
    file.catalogue.byRef(id),
  );

  const fileConfiguration = file.config.modelConfiguration;
  const firstProvider = fileConfiguration?.providerOverrides?.length ?? 0;
  const firstModel = fileConfiguration?.modelOverrides?.length ?? 0;
  const ownerOf = (path: readonly PathSegment[]) => owner(path, firstProvider, firstModel, providers, models);

  checkCodyGatewayRoutes(
    {
      providerOverrides: [
        ...(fileConfiguration?.providerOverrides ?? []),
        ...providers.map((item) => item.entry),
      ],
      modelOverrides: [...(fileConfiguration?.modelOverrides ?? []), ...models.map((item) => item.entry)],
    },
    {
      addIssue: (issue: { path?: PropertyKey[]; message?: string }) => {
        const found = ownerOf(["modelConfiguration", ...((issue.path ?? []) as PathSegment[])]);
        if (found) problems.push({ ...found, message: issue.message ?? "invalid", severity: "error" });
      },
    } as unknown as z.RefinementCtx,
  );

  const additions: CatalogueAdditions = {
    providers: providers.map((item) => item.entry),
    models: models.map((item) => item.entry),
    defaults: stored.defaults,
  };
  const otherErrors: string[] = [];
  const catalogue = resolveCatalogue(
    file.config,
    env,
    (path, message, severity) => {
      const found = ownerOf(path);
      if (found) problems.push({ ...found, message, severity });
      else if (severity === "error") otherErrors.push(`${formatPath(path)}: ${message}`);
    },
    additions,
  );
  return { catalogue, problems, otherErrors };
}

/** Stored entries parsed with the config file's schema; those that fail, or that the file has, are left out. */
function parseEntries<T>(
  kind: "provider" | "model",
  entries: readonly { id: string; body: unknown }[],
  schema: z.ZodType<T>,
  problems: StoredProblem[],
  inFile: (id: string) => unknown,
): { id: string; entry: T }[] {
  const parsed: { id: string; entry: T }[] = [];
  for (const { id, body } of entries) {
    if (inFile(id)) {
      problems.push({
        kind,
        id,
        field: "",
        message: `the config file's catalogue has ${kind} \`${id}\` too; the file's wins and the stored one is ignored`,
        severity: "warning",
      });
      continue;
    }
    const result = schema.safeParse(body);
    if (result.success) {
      parsed.push({ id, entry: result.data });
      continue;
    }
    const issue = result.error.issues[0];
    problems.push({
      kind,
      id,
      field: issue ? formatPath(issue.path.filter((key) => typeof key !== "symbol") as PathSegment[]) : "",
      message: `left out: ${issue?.message ?? "not a valid entry"}`,
      severity: "error",
    });
  }
  return parsed;
}

/** `modelConfiguration.providerOverrides[3].serverSideConfig.endpoint` → the stored provider and its field. */
function owner(
  path: readonly PathSegment[],
  firstProvider: number,
  firstModel: number,
  providers: readonly { id: string }[],
  models: readonly { id: string }[],
): Omit<StoredProblem, "message" | "severity"> | undefined {
  const [, list, index, ...rest] = path;
  const field = rest.length > 0 ? formatPath(rest) : "";
  if (list === "defaultModels")
    return { kind: "defaults", id: String(index ?? ""), field: String(index ?? "") };
  if (typeof index !== "number") return undefined;
  if (list === "providerOverrides" && index >= firstProvider) {
    const entry = providers[index - firstProvider];
    return entry ? { kind: "provider", id: entry.id, field } : undefined;
  }
  if (list === "modelOverrides" && index >= firstModel) {
    const entry = models[index - firstModel];
    return entry ? { kind: "model", id: entry.id, field } : undefined;
  }
  return undefined;
}

/**
 * The stored entries that resolve: an entry with an error is left out (and then what depended on it may fail
 * in turn, so this repeats until nothing more is left out). The errors that caused it are returned.
 */
export function resolveServable(
  file: FileConfiguration,
  env: Environment,
  stored: StoredCatalogue,
): StoredResolution & { leftOut: StoredProblem[] } {
  let current = stored;
  const leftOut: StoredProblem[] = [];
  for (let round = 0; round < 5; round++) {
    const resolution = resolveWithStored(file, env, current);
    const errors = resolution.problems.filter((problem) => problem.severity === "error");
    if (errors.length === 0 || resolution.otherErrors.length > 0) return { ...resolution, leftOut };
    leftOut.push(...errors);
    const bad = (kind: StoredKind, id: string) =>
      errors.some((error) => error.kind === kind && error.id === id);
    current = {
      providers: current.providers.filter((entry) => !bad("provider", entry.id)),
      models: current.models.filter((entry) => !bad("model", entry.id)),
      defaults: Object.fromEntries(
        Object.entries(current.defaults).filter(([feature]) => !bad("defaults", feature)),
      ),
    };
  }
  return { ...resolveWithStored(file, env, current), leftOut };
}
