import { auditEntry, type ChangeAuthor } from "../auth/change-author.js";
import { bumpRevision } from "../auth/revision.js";
import type { Catalogue, DefaultModels } from "../config/index.js";
import type { StoredCatalogue } from "../config/load/stored-catalogue.js";
import { GatewayError } from "../errors/index.js";
import type { CatalogueEntryKind, JsonObject, Store } from "../store/index.js";
import { type LiveCatalogue, STORED_DEFAULTS_KEY } from "./live-catalogue.js";

export type FeatureName = keyof DefaultModels;
export const FEATURE_NAMES: readonly FeatureName[] = ["chat", "fastChat", "codeCompletion"];

export interface CatalogueAdminDeps {
  store: Store;
  live: LiveCatalogue;
  /** Tells this replica and the others that the store changed (the token change bus). */
  changed: () => Promise<void>;
  now?: () => Date;
}

const NOUN: Record<CatalogueEntryKind, string> = { provider: "provider", model: "model" };

/**
 * Changes to the providers, models and default models kept in the store. Each change is first resolved with
 * everything else (the file's entries, the built-in catalogue) through the config loader's own rules, so what the
 * API accepts is what a config file would accept; then written with its audit entry and a revision bump in one
 * transaction, and announced, so every replica serves it within a second.
 */
export class CatalogueAdmin {
  constructor(private readonly deps: CatalogueAdminDeps) {}

  /** Adds an entry; 409 when one of that id exists (stored, in the file or built in). */
  async create(
    kind: CatalogueEntryKind,
    id: string,
    body: JsonObject,
    author: ChangeAuthor,
    /** Runs on the candidate catalogue before anything is written (the provider's central key check). */
    beforeWrite?: (candidate: Catalogue) => void,
  ): Promise<void> {
    this.refuseDeclared(kind, id, "exists");
    const stored = this.deps.live.storedCatalogue;
    // Not `beforeWrite?.(this.check(…))`: an optional call skips evaluating its argument, and the check with it.
    const candidate = this.check(kind, id, withEntry(stored, kind, id, body));
    beforeWrite?.(candidate);
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.catalogueEntries.insert(kind, id, body, now))) {
        throw new GatewayError("conflict", `${NOUN[kind]} \`${id}\` exists`, { param: idField(kind) });
      }
      await tx.audit.append(auditEntry(now, author, `${kind}-create`, id, { after: body }));
      await bumpRevision(tx.settings);
    });
    await this.deps.changed();
  }

  /** Replaces a stored entry's body (the caller merged the change in). */
  async update(kind: CatalogueEntryKind, id: string, body: JsonObject, author: ChangeAuthor): Promise<void> {
    const before = await this.storedBody(kind, id);
    this.check(kind, id, withEntry(this.deps.live.storedCatalogue, kind, id, body));
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.catalogueEntries.update(kind, id, body, now))) throw notFound(kind, id);
      await tx.audit.append(auditEntry(now, author, `${kind}-update`, id, { before, after: body }));
      await bumpRevision(tx.settings);
    });
    await this.deps.changed();
  }

  async remove(kind: CatalogueEntryKind, id: string, author: ChangeAuthor): Promise<void> {
    const before = await this.storedBody(kind, id);
    const stored = this.deps.live.storedCatalogue;
    if (kind === "provider") {
      const models = stored.models.filter((model) => model.id.startsWith(`${id}::`)).map((model) => model.id);
      if (models.length > 0) {
        throw new GatewayError(
          "conflict",
          `provider \`${id}\` still has models (${models.join(", ")}); delete them first`,
        );
      }
    } else {
      const features = FEATURE_NAMES.filter((feature) => stored.defaults[feature] === id);
      if (features.length > 0) {
        throw new GatewayError(
          "conflict",
          `model \`${id}\` is the default for ${features.join(", ")}; choose another default first`,
        );
      }
    }
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.catalogueEntries.delete(kind, id))) throw notFound(kind, id);
      if (kind === "provider") {
        // Keys of a deleted provider must not come back to life with a new provider of the same id.
        for (const key of await tx.providerKeys.list()) {
          if (key.providerId === id) await tx.providerKeys.delete(key.actorId, id);
        }
      }
      await tx.audit.append(auditEntry(now, author, `${kind}-delete`, id, { before }));
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
    for (const feature of FEATURE_NAMES) {
      const change = changes[feature];
      if (change === undefined) continue;
      if (fileDefaults[feature]) {
        throw new GatewayError(
          "conflict",
          `the default for ${feature} is set in the config file (\`modelConfiguration.defaultModels.${feature}\`); change it there`,
          { param: feature },
        );
      }
      if (change === null) delete next[feature];
      else next[feature] = change;
    }
    this.check("defaults", "", { ...stored, defaults: next });
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      await tx.settings.set(STORED_DEFAULTS_KEY, next, now);
      await tx.audit.append(
        auditEntry(now, author, "default-models-set", null, { before: stored.defaults, after: next }),
      );
      await bumpRevision(tx.settings);
    });
    await this.deps.changed();
  }

  /** The stored body of an entry; 409 for one declared in the file or built in, 404 for none. */
  async storedBody(kind: CatalogueEntryKind, id: string): Promise<JsonObject> {
    const entry = await this.deps.store.catalogueEntries.get(kind, id);
    if (entry) return entry.body;
    this.refuseDeclared(kind, id, "is read-only here");
    throw notFound(kind, id);
  }

  /** Entries the file declares, or the built-in catalogue has, are read-only through the API. */
  private refuseDeclared(kind: CatalogueEntryKind, id: string, what: string): void {
    const catalogue = this.deps.live.fileConfig.catalogue;
    const declared = kind === "provider" ? catalogue.provider(id) : catalogue.byRef(id);
    if (!declared) return;
    const file = this.deps.live.fileConfig.config.modelConfiguration;
    const inFile =
      kind === "provider"
        ? (file?.providerOverrides ?? []).some((entry) => entry.id === id)
        : (file?.modelOverrides ?? []).some((entry) => entry.modelRef === id) ||
          (file?.selfHostedModels ?? []).length > 0;
    throw new GatewayError(
      "conflict",
      inFile
        ? `${NOUN[kind]} \`${id}\` ${what}: it is declared in the config file; change it there`
        : `${NOUN[kind]} \`${id}\` ${what}: it is part of the built-in catalogue; override it in the config file`,
      { param: idField(kind) },
    );
  }

  /** Resolves the candidate; an error of the changed entry is a 400 naming its field. */
  private check(kind: CatalogueEntryKind | "defaults", id: string, candidate: StoredCatalogue): Catalogue {
    const resolution = this.deps.live.resolve(candidate);
    const problem = resolution.problems.find(
      (found) =>
        found.severity === "error" && found.kind === kind && (kind === "defaults" || found.id === id),
    );
    if (problem) {
      throw new GatewayError(
        "invalid_request",
        problem.field ? `\`${problem.field}\`: ${problem.message}` : problem.message,
        problem.field ? { param: problem.field } : {},
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
  return new GatewayError("not_found", `no ${NOUN[kind]} \`${id}\``);
}
