import type { CredentialMode } from "../catalogue/types.js";
import type { PathSegment } from "../problems.js";
import type { ProviderType } from "../schema/enums.js";
import type { KeyPolicy } from "../schema/model-configuration.js";

/**
 * Settings the config accepts (so files written for the finished gateway load) whose feature is not built
 * yet. Each is a warning, never silence. When a feature lands, deleting its line here is all that is needed.
 */

/** A key in the file that does nothing yet; `*` in `path` matches every array index and object key. */
export interface PendingKey {
  path: readonly string[];
  /** What does nothing yet; shown after the key's path. */
  message: string;
  /** Which written values do nothing; by default any value but an empty object. */
  when?: (value: unknown) => boolean;
}

/** What a pending provider feature looks at: the provider as resolved (file, built-in or environment). */
export interface ProviderFacts {
  id: string;
  type: ProviderType;
  credentialMode: CredentialMode;
  keyPolicy: KeyPolicy;
}

/** A provider feature that is not built yet. */
export interface PendingProviderFeature {
  applies: (provider: ProviderFacts) => boolean;
  /** Where the warning points, relative to the provider's entry in `providerOverrides`. */
  at: readonly string[];
  /** True when requests cannot be served without the feature: the provider's models are then unavailable. */
  blocks: (provider: ProviderFacts) => boolean;
  /** The warning, after "provider `id`: "; also the provider's `unavailableReason` when it blocks. */
  message: (provider: ProviderFacts) => string;
}

/** Model settings sit on a model override and on a provider's `defaultModelConfig`. */
const modelSetting = (path: string[], message: string, selfHosted = false): PendingKey[] => [
  { path: ["modelConfiguration", "modelOverrides", "*", ...path], message },
  { path: ["modelConfiguration", "providerOverrides", "*", "defaultModelConfig", ...path], message },
  ...(selfHosted
    ? [{ path: ["modelConfiguration", "selfHostedModels", "*", "override", ...path], message }]
    : []),
];

export const PENDING_KEYS: readonly PendingKey[] = [
  ...["endpoint", "accessToken"].map((key) => ({
    path: ["modelConfiguration", "sourcegraph", key],
    message:
      "does nothing yet: the built-in catalogue's models are served with each provider's own key; to reach Cody Gateway, add a provider of type `sourcegraph` to providerOverrides",
  })),
  {
    path: ["modelConfiguration", "providerOverrides", "*", "serverSideConfig", "enableVerboseLogs"],
    message: "does nothing yet: verbose request and response logs are not implemented",
    when: (value) => value === true,
  },
  ...modelSetting(
    ["options", "parallelToolCalls"],
    "does nothing yet: it is not applied to requests (a request's own `parallel_tool_calls` is)",
  ),
  ...modelSetting(["options", "reasoningEnabled"], "does nothing yet: it is not applied to requests"),
  ...modelSetting(
    ["contextWindow", "maxUserInputTokens"],
    "does nothing yet: it is neither enforced nor passed on to clients (maxInputTokens and maxOutputTokens are)",
    true,
  ),
];

export const PENDING_PROVIDER_FEATURES: readonly PendingProviderFeature[] = [
  {
    applies: (provider) => provider.credentialMode === "azure-entra",
    at: ["serverSideConfig"],
    blocks: () => true,
    message: () =>
      "without `accessToken` it would sign in with Microsoft Entra ID, which is not implemented yet: its models are unavailable until then; set `accessToken` to an API key",
  },
];

/** The pending features of one provider: the warnings, and whether its models are unavailable. */
export function pendingProviderFeatures(provider: ProviderFacts) {
  return PENDING_PROVIDER_FEATURES.filter((feature) => feature.applies(provider)).map((feature) => ({
    at: feature.at,
    message: feature.message(provider),
    blocks: feature.blocks(provider),
  }));
}

/** Every pending key written in `document` (the file as parsed, before defaults), with its path. */
export function pendingKeysIn(document: unknown): { path: PathSegment[]; message: string }[] {
  const found: { path: PathSegment[]; message: string }[] = [];
  for (const entry of PENDING_KEYS) {
    const when = entry.when ?? ((value: unknown) => !(isObject(value) && Object.keys(value).length === 0));
    for (const match of matches(document, entry.path, [])) {
      if (when(match.value)) found.push({ path: match.path, message: entry.message });
    }
  }
  return found;
}

function* matches(
  value: unknown,
  pattern: readonly string[],
  path: PathSegment[],
): Generator<{ path: PathSegment[]; value: unknown }> {
  if (pattern.length === 0) {
    yield { path, value };
    return;
  }
  const [head, ...rest] = pattern as [string, ...string[]];
  if (Array.isArray(value)) {
    if (head !== "*") return;
    for (const [index, item] of value.entries()) yield* matches(item, rest, [...path, index]);
  } else if (isObject(value)) {
    const keys = head === "*" ? Object.keys(value) : Object.hasOwn(value, head) ? [head] : [];
    for (const key of keys) yield* matches(value[key], rest, [...path, key]);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
