import { closest } from "../edit-distance.js";
import { TOLLGATE_SECTIONS } from "../schema/tollgate.js";

/** Top-level keys of Sourcegraph's site config that have no dot in their name (the dotted ones are recognised by the dot). */
const SITE_CONFIG_KEYS = new Set([
  "externalURL",
  "licenseKey",
  "completions",
  "embeddings",
  "experimentalFeatures",
  "dotcom",
  "branding",
  "corsOrigin",
  "htmlHeadTop",
  "htmlHeadBottom",
  "htmlBodyTop",
  "htmlBodyBottom",
  "disableAutoGitUpdates",
  "gitUpdateInterval",
  "gitMaxConcurrentClones",
  "maxReposToSearch",
  "repoListUpdateInterval",
  "searchLimits",
  "lsifEnforceAuth",
  "codeIntelAutoIndexing",
  "log",
  "app",
]);

const TOLLGATE_KEYS = new Set<string>([...TOLLGATE_SECTIONS, "$schema"]);

/**
 * A document is read as a Sourcegraph site config when some top-level key has a dot in its name (`cody.enabled`,
 * `auth.providers`: Tollgate never uses dotted keys) or is a known site-config key (`externalURL`, `licenseKey`…).
 * Then every other non-Tollgate key is reported once as an ignored Sourcegraph setting, except keys that look like
 * a misspelt Tollgate section (`modelConfig`, `actor`): those stay errors with a hint, so a typo is never ignored.
 */
export function splitSiteConfig(document: Record<string, unknown>): {
  isSiteConfig: boolean;
  ignored: string[];
} {
  const keys = Object.keys(document);
  const isSiteConfig = keys.some((key) => key.includes(".") || SITE_CONFIG_KEYS.has(key));
  if (!isSiteConfig) return { isSiteConfig, ignored: [] };
  const ignored = keys.filter(
    (key) =>
      !TOLLGATE_KEYS.has(key) &&
      (key.includes(".") || SITE_CONFIG_KEYS.has(key) || !closest(key, TOLLGATE_SECTIONS, 0.3)),
  );
  return { isSiteConfig, ignored };
}
