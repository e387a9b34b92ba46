export { createCatalogue } from "./catalogue/catalogue.js";
export { type CredentialResolution, credentialsForKey } from "./catalogue/credentials.js";
export { matchesRule, passesFilters } from "./catalogue/filters.js";
export { toSupportedModelsJson } from "./catalogue/supported-models.js";
export type {
  Catalogue,
  CredentialMode,
  DefaultModels,
  GoogleApi,
  ResolvedModel,
  ResolvedProvider,
} from "./catalogue/types.js";
export { formatDuration, parseDuration } from "./duration.js";
export { findPlaceholder, normalizeEndpoint } from "./endpoint.js";
export type { Environment } from "./load/interpolate.js";
export {
  embeddedDefaultConfig,
  type LoadedConfig,
  type LoadOptions,
  type LoadResult,
  loadConfig,
  loadConfigFile,
} from "./load/load-config.js";
export { MAX_CONFIG_BYTES } from "./load/parse-document.js";
export { formatModelRef, type ModelRef, parseModelRef } from "./model-ref.js";
export { formatPath, formatProblem, type Problem, type Severity } from "./problems.js";
export { redactSecretsInText } from "./redact.js";
export type { Capability, Category, Feature, ProviderType, Status, Tier } from "./schema/enums.js";
export { CAPABILITIES, CATEGORIES, FEATURES, PROVIDER_TYPES, STATUSES, TIERS } from "./schema/enums.js";
export type {
  ContextWindow,
  KeyPolicy,
  ModelClientSideConfig,
  ModelOptions,
  ModelServerSideConfig,
  Pricing,
  ProviderServerSideConfig,
  Timeouts,
} from "./schema/model-configuration.js";
export type { Actor, FeatureLimits, Limit, TollgateConfig } from "./schema/tollgate.js";
export { Secret } from "./secret.js";
