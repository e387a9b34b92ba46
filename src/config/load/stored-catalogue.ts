import type { Catalogue, DefaultModels } from "../catalogue/types.js";
import { formatPath, type PathSegment, type Severity } from "../problems.js";
import {
  type ModelOverride,
  modelOverride,
  type ProviderOverride,
  providerOverride,
} from "../schema/model-configuration.js";
import type { TollgateConfig } from "../schema/tollgate.js";
import type { Environment } from "./interpolate.js";
import { type CatalogueAdditions, resolveCatalogue } from "./load-config.js";

/** Providers, models and defaults kept in the store (made through the admin API), as stored. */
export interface StoredCatalogue {
  providers: readonly { id: string; body: unknown }[];
  models: readonly { id: string; body: unknown }[];
  defaults: Partial<Record<keyof DefaultModels, string>>;
}

/** A problem of one stored entry: `field` is its path inside the entry (`serverSideConfig.endpoint`). */
export interface StoredProblem {
  kind: "provider" | "model" | "defaults";
  id: string;
  field: string;
  message: string;
  severity: Severity;
}

export interface StoredResolution {
  catalogue: Catalogue;
  /** Problems of stored entries; an entry that does not parse is left out and listed here as an error. */
  problems: StoredProblem[];
  /** Errors elsewhere (the file's own entries, which loaded before, are not repeated: they warned at load). */
  otherErrors: string[];
}

const WHERE = {
  providerOverrides: "provider",
  modelOverrides: "model",
  defaultModels: "defaults",
} as const;

/**
 * Resolves the file's configuration together with the stored entries, through the same code as a config load,
 * so an entry made through the API meets the file's rules and messages. Stored entries whose id the file
 * declares too are left out (the file wins; each listed as a problem). Problems are mapped back to the entry
 * they belong to, with the path inside it.
 */
export function resolveWithStored(
  config: TollgateConfig,
  env: Environment,
  stored: StoredCatalogue,
): StoredResolution {
  const problems: StoredProblem[] = [];
  const file = config.modelConfiguration;
  const fileProviders = new Set((file?.providerOverrides ?? []).map((entry) => entry.id));
  const fileModels = new Set((file?.modelOverrides ?? []).map((entry) => entry.modelRef));

  const providers: { id: string; entry: ProviderOverride }[] = [];
  for (const { id, body } of stored.providers) {
    if (fileProviders.has(id)) {
      problems.push(shadowed("provider", id));
      continue;
    }
    const parsed = providerOverride.safeParse(body);
    if (parsed.success) providers.push({ id, entry: parsed.data });
    else problems.push(unparsed("provider", id, parsed.error.issues[0]));
  }
  const models: { id: string; entry: ModelOverride }[] = [];
  for (const { id, body } of stored.models) {
    if (fileModels.has(id)) {
      problems.push(shadowed("model", id));
      continue;
    }
    const parsed = modelOverride.safeParse(body);
    if (parsed.success) models.push({ id, entry: parsed.data });
    else problems.push(unparsed("model", id, parsed.error.issues[0]));
  }

  const additions: CatalogueAdditions = {
    providers: providers.map((item) => item.entry),
    models: models.map((item) => item.entry),
    defaults: stored.defaults,
  };
  const firstProvider = file?.providerOverrides?.length ?? 0;
  const firstModel = file?.modelOverrides?.length ?? 0;
  const otherErrors: string[] = [];
  const catalogue = resolveCatalogue(
    config,
    env,
    (path, message, severity) => {
      const owner = ownerOf(path, firstProvider, firstModel, providers, models);
      if (owner) problems.push({ ...owner, message, severity });
      else if (severity === "error") otherErrors.push(`${formatPath(path)}: ${message}`);
    },
    additions,
  );
  return { catalogue, problems, otherErrors };
}

/** `modelConfiguration.providerOverrides[3].serverSideConfig.endpoint` → the stored provider and its field. */
function ownerOf(
  path: readonly PathSegment[],
  firstProvider: number,
  firstModel: number,
  providers: readonly { id: string }[],
  models: readonly { id: string }[],
): Omit<StoredProblem, "message" | "severity"> | undefined {
  const [, list, index, ...rest] = path;
  const field = rest.length > 0 ? formatPath(rest) : "";
  if (list === "defaultModels") {
    return { kind: WHERE.defaultModels, id: String(index ?? ""), field: String(index ?? "") };
  }
  if (typeof index !== "number") return undefined;
  if (list === "providerOverrides" && index >= firstProvider) {
    const entry = providers[index - firstProvider];
    return entry ? { kind: WHERE.providerOverrides, id: entry.id, field } : undefined;
  }
  if (list === "modelOverrides" && index >= firstModel) {
    const entry = models[index - firstModel];
    return entry ? { kind: WHERE.modelOverrides, id: entry.id, field } : undefined;
  }
  return undefined;
}

function shadowed(kind: "provider" | "model", id: string): StoredProblem {
  return {
    kind,
    id,
    field: "",
    message: `the config file declares ${kind} \`${id}\` too; the file's wins and the stored one is ignored`,
    severity: "warning",
  };
}

function unparsed(
  kind: "provider" | "model",
  id: string,
  issue: { path: PropertyKey[]; message: string } | undefined,
): StoredProblem {
  return {
    kind,
    id,
    field: issue ? formatPath(issue.path.filter((key) => typeof key !== "symbol") as PathSegment[]) : "",
    message: `left out: ${issue?.message ?? "not a valid entry"}`,
    severity: "error",
  };
}
