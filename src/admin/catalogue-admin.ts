import type { z } from "zod";
import { auditEntry, type ChangeAuthor } from "../auth/change-author.js";
import { bumpRevision } from "../auth/revision.js";
import type { Catalogue } from "../config/index.js";
import type { StoredCatalogue, StoredKind, StoredProblem } from "../config/load/stored-catalogue.js";
import { GatewayError } from "../errors/index.js";
import type { CatalogueEntryKind, JsonObject, Store, StoreRepositories } from "../store/index.js";
import { mergePatch } from "./catalogue-input.js";
import { FEATURE_NAMES, type FeatureName, type LiveCatalogue, storedDefaultKey } from "./live-catalogue.js";
import { parse } from "./route-kit.js";

export interface CatalogueAdminDeps {
  store: Store;
  live: LiveCatalogue;
  /** Tells this replica and the others that the store changed (the token change bus). */
  changed: () => Promise<void>;
  now?: () => Date;
}

/** A stored entry as read, with the version a change must still find when it writes. */
export interface StoredEntry {
  body: JsonObject;
  updatedAt: Date;
}

/**
 * Changes to the providers, models and default models kept in the store. Each change is first resolved with
 * everything else (the file's entries, the built-in catalogue, the other stored entries) through the config
 * loader's own rules, and refused when it would add an error anywhere, so what the API accepts is what a config
 * file would accept. Then it is written with its audit entry and a revision bump in one transaction, which
 * re-reads what it depends on (a provider's models, a model's provider, an entry's version), and announced, so
 * every replica serves it within a second.
 */
export class CatalogueAdmin {
  constructor(private readonly deps: CatalogueAdminDeps) {}

  /** Adds an entry; 409 when one of that id exists (stored, in the file or built in). */
  async create(
    kind: CatalogueEntryKind,
    id: string,
    body: JsonObject,
    author: ChangeAuthor,
    /** Also written in the transaction (a provider's central key: both or neither). */
    alsoInTransaction?: (tx: StoreRepositories, candidate: Catalogue) => Promise<void>,
  ): Promise<void> {
    this.refuseDeclared(kind, id, "exists");
    const candidate = this.check(kind, id, withEntry(this.deps.live.storedCatalogue, kind, id, body));
    const present = kind === "provider" ? candidate.provider(id) : candidate.byRef(id);
    if (!present) {
      // The embedded default leaves out built-in providers without a key, and their models with them.
      throw new GatewayError(
        "invalid_request",
        `${kind} \`${id}\` would not be served: its provider is not usable here (no key for it in the environment?)`,
      );
    }
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      if (kind === "model") await this.requireProvider(tx, id);
      if (!(await tx.catalogueEntries.insert(kind, id, body, now))) {
        throw new GatewayError("conflict", `${kind} \`${id}\` exists`, { param: idField(kind) });
      }
      await alsoInTransaction?.(tx, candidate);
      await tx.audit.append(auditEntry(now, author, `${kind}-create`, id, { after: body }));
      await bumpRevision(tx.settings);
    });
    await this.deps.changed();
  }

  /**
   * Changes a stored entry: the fields of `patch` replace its own (`null` removes one); the result must parse
   * with the config file's schema for the kind, then is checked and written as any change.
   */
  async patch(
    kind: CatalogueEntryKind,
    id: string,
    patch: JsonObject,
    schema: z.ZodType,
    author: ChangeAuthor,
  ): Promise<void> {
    const before = await this.storedEntry(kind, id);
    const next = mergePatch(before.body, patch);
    parse(schema, next, `the ${kind}`);
    await this.update(kind, id, before, next, author);
  }

  /** Replaces a stored entry's body, only while it is still the version `before` read. */
  private async update(
    kind: CatalogueEntryKind,
    id: string,
    before: StoredEntry,
    body: JsonObject,
    author: ChangeAuthor,
  ): Promise<void> {
    this.check(kind, id, withEntry(this.deps.live.storedCatalogue, kind, id, body));
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.catalogueEntries.update(kind, id, body, now, before.updatedAt))) {
        if (!(await tx.catalogueEntries.get(kind, id))) throw notFound(kind, id);
        throw new GatewayError(
          "conflict",
          `${kind} \`${id}\` was changed meanwhile; read it again and retry`,
        );
      }
      await tx.audit.append(
        auditEntry(now, author, `${kind}-update`, id, { before: before.body, after: body }),
      );
      await bumpRevision(tx.settings);
    });
    await this.deps.changed();
  }

  async remove(kind: CatalogueEntryKind, id: string, author: ChangeAuthor): Promise<void> {
    const before = await this.storedEntry(kind, id);
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      let keysOf: (string | null)[] = [];
      if (kind === "provider") {
        const models = await tx.catalogueEntries.modelsOf(id);
        if (models.length > 0) {
          throw new GatewayError(
            "conflict",
            `provider \`${id}\` still has models (${models.join(", ")}); delete them first`,
          );
        }
      } else await refuseDefaultInUse(tx, id);
      if (!(await tx.catalogueEntries.delete(kind, id))) throw notFound(kind, id);
      // Keys of a deleted provider must not come back to life with a new provider of the same id.
      if (kind === "provider") keysOf = await tx.providerKeys.deleteForProvider(id);
      await tx.audit.append(
        auditEntry(now, author, `${kind}-delete`, id, {
          before: before.body,
          ...(kind === "provider"
            ? {
                centralKeyDeleted: keysOf.includes(null),
                userKeysDeleted: keysOf.filter((owner) => owner).length,
              }
            : {}),
        }),
      );
      await bumpRevision(tx.settings);
    });
    await this.deps.changed();
  }

  /**
   * Sets (a ref) or clears (null) the stored default of features; a feature whose default the config file sets
   * is the file's (409).
   */
  async setDefaults(
    changes: Partial<Record<FeatureName, string | null>>,
    author: ChangeAuthor,
  ): Promise<void> {
    const fileDefaults = this.deps.live.fileConfig.config.modelConfiguration?.defaultModels ?? {};
    const stored = this.deps.live.storedCatalogue;
    const next: Partial<Record<FeatureName, string>> = { ...stored.defaults };
    const changed = FEATURE_NAMES.filter((feature) => changes[feature] !== undefined);
    for (const feature of changed) {
      if (fileDefaults[feature]) {
        throw new GatewayError(
          "conflict",
          `the default for ${feature} is set in the config file (\`modelConfiguration.defaultModels.${feature}\`); change it there`,
          { param: feature },
        );
      }
      const change = changes[feature];
      if (change === null) delete next[feature];
      else if (change !== undefined) next[feature] = change;
    }
    this.check("defaults", "", { ...stored, defaults: next });
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      for (const feature of changed) {
        const ref = next[feature];
        // One key per feature: choices of different features made at once never overwrite each other.
        if (ref === undefined) await tx.settings.delete(storedDefaultKey(feature));
        else {
          if (!this.deps.live.declaredBy("model", ref)) await requireStoredModel(tx, ref);
          await tx.settings.set(storedDefaultKey(feature), ref, now);
        }
      }
      const pick = (defaults: Partial<Record<FeatureName, string>>) =>
        Object.fromEntries(changed.map((feature) => [feature, defaults[feature] ?? null]));
      await tx.audit.append(
        auditEntry(now, author, "default-models-set", null, {
          before: pick(stored.defaults),
          after: pick(next),
        }),
      );
      await bumpRevision(tx.settings);
    });
    await this.deps.changed();
  }

  /** The stored entry; 409 for one declared in the file or built in, 404 for none. */
  async storedEntry(kind: CatalogueEntryKind, id: string): Promise<StoredEntry> {
    const entry = await this.deps.store.catalogueEntries.get(kind, id);
    if (entry) return { body: entry.body, updatedAt: entry.updatedAt };
    this.refuseDeclared(kind, id, "is read-only here");
    throw notFound(kind, id);
  }

  /** Entries the file declares, or the built-in catalogue has, are read-only through the API. */
  private refuseDeclared(kind: CatalogueEntryKind, id: string, what: string): void {
    const declared = this.deps.live.declaredBy(kind, id);
    if (!declared) return;
    throw new GatewayError(
      "conflict",
      declared === "file"
        ? `${kind} \`${id}\` ${what}: it is declared in the config file; change it there`
        : `${kind} \`${id}\` ${what}: it is part of the built-in catalogue; override it in the config file`,
      { param: idField(kind) },
    );
  }

  /** A model's provider must exist when it is written: in the file's catalogue, or stored (read in `tx`). */
  private async requireProvider(tx: StoreRepositories, ref: string): Promise<void> {
    const providerId = ref.slice(0, ref.indexOf("::"));
    if (this.deps.live.declaredBy("provider", providerId)) return;
    if (await tx.catalogueEntries.get("provider", providerId)) return;
    throw new GatewayError("conflict", `provider \`${providerId}\` was deleted meanwhile`, {
      param: "modelRef",
    });
  }

  /**
   * Resolves the candidate and refuses it when it has an error the stored entries do not have now: one of the
   * changed entry's own, or one it causes elsewhere (a provider change that breaks its models' options).
   */
  private check(kind: StoredKind, id: string, candidate: StoredCatalogue): Catalogue {
    const live = this.deps.live;
    const known = new Set(errorsOf(live.resolve(live.storedCatalogue).problems).map(problemKey));
    const resolution = live.resolve(candidate);
    const fresh = errorsOf(resolution.problems).filter((problem) => !known.has(problemKey(problem)));
    const own = fresh.find((problem) => problem.kind === kind && (kind === "defaults" || problem.id === id));
    const problem = own ?? fresh[0];
    if (problem) {
      const where = problem === own ? "" : `${problem.kind} \`${problem.id}\` would break: `;
      throw new GatewayError(
        "invalid_request",
        `${where}${problem.field ? `\`${problem.field}\`: ` : ""}${problem.message}`,
        problem === own && problem.field ? { param: problem.field } : {},
      );
    }
    const other = resolution.otherErrors[0];
    if (other) throw new GatewayError("invalid_request", other);
    return resolution.catalogue;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function errorsOf(problems: readonly StoredProblem[]): StoredProblem[] {
  return problems.filter((problem) => problem.severity === "error");
}

function problemKey(problem: StoredProblem): string {
  return `${problem.kind}\u0000${problem.id}\u0000${problem.field}\u0000${problem.message}`;
}

/** A stored model that is the default of a feature (chosen through the API) cannot go; read in `tx`. */
async function refuseDefaultInUse(tx: StoreRepositories, ref: string): Promise<void> {
  const features: FeatureName[] = [];
  for (const feature of FEATURE_NAMES) {
    if ((await tx.settings.get(storedDefaultKey(feature))) === ref) features.push(feature);
  }
  if (features.length > 0) {
    throw new GatewayError(
      "conflict",
      `model \`${ref}\` is the default for ${features.join(", ")}; choose another default first`,
    );
  }
}

async function requireStoredModel(tx: StoreRepositories, ref: string): Promise<void> {
  if (await tx.catalogueEntries.get("model", ref)) return;
  throw new GatewayError("conflict", `model \`${ref}\` was deleted meanwhile`);
}

function withEntry(
  stored: StoredCatalogue,
  kind: CatalogueEntryKind,
  id: string,
  body: JsonObject,
): StoredCatalogue {
  const list = kind === "provider" ? stored.providers : stored.models;
  const replaced = list.some((entry) => entry.id === id)
    ? list.map((entry) => (entry.id === id ? { id, body } : entry))
    : [...list, { id, body }];
  return kind === "provider" ? { ...stored, providers: replaced } : { ...stored, models: replaced };
}

function idField(kind: CatalogueEntryKind): string {
  return kind === "provider" ? "id" : "modelRef";
}

function notFound(kind: CatalogueEntryKind, id: string): GatewayError {
  return new GatewayError("not_found", `no ${kind} \`${id}\``);
}
