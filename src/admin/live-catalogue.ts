import type { DefaultModels, Environment, LoadedConfig } from "../config/index.js";
import {
  resolveWithStored,
  type StoredCatalogue,
  type StoredProblem,
  type StoredResolution,
} from "../config/load/stored-catalogue.js";
import type { Store } from "../store/index.js";
import type { Logger } from "../telemetry/logger.js";
import type { EntrySource } from "./provider-view.js";

/** The settings key of the default models chosen through the admin API. */
export const STORED_DEFAULTS_KEY = "catalogue.defaultModels";

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
 * token change bus), so an entry made on one replica serves on all within a second. A stored entry that no
 * longer resolves (the file changed under it) is left out and logged, never stops the gateway.
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

  /** Where a provider is declared (the file's declaration wins over a stored one of the same id). */
  providerSource(id: string): EntrySource {
    const file = this.file.config.modelConfiguration;
    if ((file?.providerOverrides ?? []).some((entry) => entry.id === id)) return "file";
    return this.stored.providers.some((entry) => entry.id === id) ? "database" : "builtin";
  }

  modelSource(ref: string): EntrySource {
    if (this.file.catalogue.byRef(ref)) {
      const file = this.file.config.modelConfiguration;
      const inFile =
        (file?.modelOverrides ?? []).some((entry) => entry.modelRef === ref) ||
        (file?.selfHostedModels ?? []).length > 0;
      return inFile ? "file" : "builtin";
    }
    return this.stored.models.some((entry) => entry.id === ref) ? "database" : "builtin";
  }

  /** Reads the stored entries and applies them. */
  async load(): Promise<void> {
    const { store } = this.options;
    const [entries, defaults] = await Promise.all([
      store.catalogueEntries.list(),
      store.settings.get(STORED_DEFAULTS_KEY),
    ]);
    this.stored = {
      providers: entries.filter((entry) => entry.kind === "provider").map(({ id, body }) => ({ id, body })),
      models: entries.filter((entry) => entry.kind === "model").map(({ id, body }) => ({ id, body })),
      defaults: storedDefaults(defaults),
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
    return resolveWithStored(this.file.config, this.options.env, stored);
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
    const resolution = this.resolve(this.stored);
    if (resolution.otherErrors.length > 0) {
      // Not expected (each entry was checked when written); keep the file's catalogue rather than a broken one.
      this.options.logger.error(
        { problems: resolution.otherErrors },
        "the stored providers and models do not resolve with the config file; serving the file's catalogue",
      );
      this.publish(this.file, resolution.problems);
      return;
    }
    this.publish({ ...this.file, catalogue: resolution.catalogue }, resolution.problems);
  }

  private publish(next: LoadedConfig, problems: readonly StoredProblem[]): void {
    const errors = problems.filter((problem) => problem.severity === "error");
    const summary = JSON.stringify(errors);
    // Logged when they change, not on every reload of the store.
    if (summary !== this.lastProblems && errors.length > 0) {
      this.options.logger.warn({ problems: errors }, "stored catalogue entries left out or with errors");
    }
    this.lastProblems = summary;
    this.current = next;
    this.options.onChange(next);
  }
}

function storedDefaults(value: unknown): Partial<Record<keyof DefaultModels, string>> {
  if (!value || typeof value !== "object") return {};
  const out: Partial<Record<keyof DefaultModels, string>> = {};
  for (const feature of ["chat", "fastChat", "codeCompletion"] as const) {
    const ref = (value as Record<string, unknown>)[feature];
    if (typeof ref === "string" && ref !== "") out[feature] = ref;
  }
  return out;
}
