import { z } from "zod";
import type { ResolvedProvider } from "../config/index.js";
import { Secret } from "../config/index.js";
import type { CredentialResolver } from "../credentials/credential-resolver.js";

/**
 * How a provider authenticates now: with a central key (from the file, its environment variable or the
 * admin API), the ambient AWS or Google chain, only users' own keys, or nothing (a keyless endpoint).
 */
export type CredentialModeName = "central-key" | "ambient" | "user-keys" | "keyless" | "unavailable";

/** Where an entry is declared: the config file, the built-in catalogue (or the environment), or the admin API. */
export type EntrySource = "file" | "builtin" | "database";

/** The provider's settings as the admin API shows them: every secret left out (headers' values included). */
export function publicSettings(value: unknown): unknown {
  if (value instanceof Secret) return undefined;
  if (Array.isArray(value)) return value.map(publicSettings);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (key === "headers" && field && typeof field === "object") {
        out[key] = Object.keys(field);
        continue;
      }
      const shown = publicSettings(field);
      if (shown !== undefined) out[key] = shown;
    }
    return out;
  }
  return value;
}

/** One provider as the admin API shows it: never a key, only whether one is set and where it comes from. */
export function describeProvider(
  provider: ResolvedProvider,
  resolver: CredentialResolver,
  userKeysSaved: number,
  source: EntrySource,
) {
  const central = resolver.central(provider);
  const policy = provider.keyPolicy;
  let mode: CredentialModeName;
  let keySource: string | undefined;
  if ("credential" in central) {
    const origin = central.credential.origin;
    mode = origin === "ambient" ? "ambient" : origin === "keyless" ? "keyless" : "central-key";
    keySource =
      origin === "stored"
        ? "admin-api"
        : origin === "config" && provider.credentialSource
          ? `environment:${provider.credentialSource}`
          : origin;
  } else {
    mode = policy.allowUserKeys ? "user-keys" : "unavailable";
  }
  return {
    id: provider.id,
    displayName: provider.displayName,
    type: provider.type,
    source,
    editable: source === "database",
    settings: publicSettings(provider.serverConfig) as Record<string, unknown>,
    credentialMode: mode,
    ...(keySource ? { centralKeySource: keySource } : {}),
    /** Which kind of central credential (bearer key, SigV4 keys, service account…), when there is one. */
    ...("credential" in central ? { authentication: central.credential.mode } : {}),
    storedCentralKey: resolver.hasStoredCentralKey(provider.id),
    keyPolicy: policy,
    userKeysSaved,
    ...(provider.region ? { region: provider.region } : {}),
    ...(provider.blockedReason !== undefined
      ? { unavailableReason: provider.blockedReason }
      : "reason" in central && !policy.allowUserKeys
        ? { unavailableReason: central.reason }
        : {}),
  };
}

export const providerView = z.object({
  id: z.string(),
  displayName: z.string(),
  type: z.string(),
  source: z.enum(["file", "builtin", "database"]),
  editable: z
    .boolean()
    .describe("true for providers made through this API; the others are the config file's"),
  settings: z.record(z.string(), z.unknown()).describe("the provider's serverSideConfig, secrets left out"),
  credentialMode: z.enum(["central-key", "ambient", "user-keys", "keyless", "unavailable"]),
  centralKeySource: z.string().optional(),
  authentication: z.string().optional(),
  storedCentralKey: z.boolean(),
  keyPolicy: z.object({
    centralKey: z.boolean(),
    allowUserKeys: z.boolean(),
    centralKeyFallback: z.boolean(),
  }),
  userKeysSaved: z.number(),
  region: z.string().optional(),
  unavailableReason: z.string().optional(),
});
