import type { DefaultModels, Environment, LoadedConfig } from "../config/index.js";
import {
  fileModelRefs,
  resolveServable,
  resolveWithStored,
  type StoredCatalogue,
  type StoredProblem,
  type StoredResolution,
} from "../config/load/stored-catalogue.js";
import type { Store } from "../store/index.js";
import type { Logger } from "../telemetry/logger.js";
import type { EntrySource } from "./provider-view.js";

/** The settings key of the default model of a feature chosen through the admin API (one key each, so choices
 * of different features made at once never overwrite each other). */
export function storedDefaultKey(feature: FeatureName): string {
  return `catalogue.defaultModels.${feature}`;
}

export type FeatureName = keyof DefaultModels;
export const FEATURE_NAMES: readonly FeatureName[] = ["chat", "fastChat", "codeCompletion"];

const EMPTY: StoredCatalogue = { providers: [], models: [], defaults: {} };

export interface LiveCatalogueOptions {
  store: Store;
  env: Environment;
  logger: Logger;
  file: LoadedConfig;
  /** Told each time the running configuration changes (a stored entry, a reload of the file). */
  onChange: (next: LoadedConfig) => void;
}

/**
 * The running configuration: the config file's, with the providers, models and defaults made through the admin
 * API resolved into its catalogue. Every replica reloads the stored part when the store's revision changes (the
 * token change bus), so an entry made on one replica serves on all within a second. A stored entry that does not
 * resolve with the file as it is now (the file changed under it) is left out and logged; the others still serve.
 */
export class LiveCatalogue {
  private file: LoadedConfig;
  private stored: StoredCatalogue = EMPTY;
  private current: LoadedConfig;
  private lastProblems = "";

  constructor(private readonly options: LiveCatalogueOptions) {
    this.file = options.file;
    this.current = options.file;
  }

  get loaded(): LoadedConfig {
    return this.current;
  }

  /** The file's configuration as loaded, before stored entries (for "declared in the file" checks). */
  get fileConfig(): LoadedConfig {
    return this.file;
  }

  get storedCatalogue(): StoredCatalogue {
    return this.stored;
  }

  /** Where the file's catalogue declares an entry: in the file itself, or built in; undefined when it does not. */
  declaredBy(kind: "provider" | "model", id: string): "file" | "builtin" | undefined {
    const { config, catalogue } = this.file;
    if (kind === "provider") {
      if (!catalogue.provider(id)) return undefined;
      const inFile = (config.modelConfiguration?.providerOverrides ?? []).some((entry) => entry.id === id);
      return inFile ? "file" : "builtin";
    }
    if (!catalogue.byRef(id)) return undefined;
    return fileModelRefs(config).has(id) ? "file" : "builtin";
  }

  providerSource(id: string): EntrySource {
    return (
      this.declaredBy("provider", id) ??
      (this.stored.providers.some((entry) => entry.id === id) ? "database" : "builtin")
    );
  }

  modelSource(ref: string): EntrySource {
    return (
      this.declaredBy("model", ref) ??
      (this.stored.models.some((entry) => entry.id === ref) ? "database" : "builtin")
    );
  }

  /** Reads the stored entries and applies them. */
  async load(): Promise<void> {
    const { store } = this.options;
    const [entries, ...defaults] = await Promise.all([
      store.catalogueEntries.list(),
      ...FEATURE_NAMES.map((feature) => store.settings.get(storedDefaultKey(feature))),
    ]);
    const chosen: Partial<Record<FeatureName, string>> = {};
    FEATURE_NAMES.forEach((feature, index) => {
      const ref = defaults[index];
      if (typeof ref === "string" && ref !== "") chosen[feature] = ref;
    });
    this.stored = {
      providers: entries.filter((entry) => entry.kind === "provider").map(({ id, body }) => ({ id, body })),
      models: entries.filter((entry) => entry.kind === "model").map(({ id, body }) => ({ id, body })),
      defaults: chosen,
    };
    this.apply();
  }

  /** A new config file (SIGHUP, or the admin API's reload). */
  setFile(next: LoadedConfig): void {
    this.file = next;
    this.apply();
  }

  /** What the catalogue would be with `stored` instead of what is stored now: the admin API's check before a write. */
  resolve(stored: StoredCatalogue): StoredResolution {
    return resolveWithStored(this.file, this.options.env, stored);
  }

  private apply(): void {
    const noneStored =
      this.stored.providers.length === 0 &&
      this.stored.models.length === 0 &&
      Object.keys(this.stored.defaults).length === 0;
    if (noneStored) {
      this.publish(this.file, []);
      return;
    }
    const resolution = resolveServable(this.file, this.options.env, this.stored);
    if (resolution.otherErrors.length > 0) {
      // Not expected (the file loaded on its own); keep the file's catalogue rather than a broken one.
      this.options.logger.error(
        { problems: resolution.otherErrors },
        "the stored providers and models do not resolve with the config file; serving the file's catalogue",
      );
      this.publish(this.file, resolution.leftOut);
      return;
    }
    this.publish({ ...this.file, catalogue: resolution.catalogue }, resolution.leftOut);
  }

  private publish(next: LoadedConfig, leftOut: readonly StoredProblem[]): void {
    const summary = JSON.stringify(leftOut);
    // Logged when they change, not on every reload of the store.
    if (summary !== this.lastProblems && leftOut.length > 0) {
      this.options.logger.warn(
        { problems: leftOut },
        "stored catalogue entries left out: they do not resolve",
      );
    }
    this.lastProblems = summary;
    this.current = next;
    this.options.onChange(next);
  }
}
