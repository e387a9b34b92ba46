import type { Provider } from "../api/types.js";

/** How a provider authenticates, in words, and which central-key actions make sense for it. */

export type Tone = "neutral" | "ok" | "warn" | "danger" | "info";

export interface CredentialText {
  badge: string;
  tone: Tone;
  /** A second line: where the key comes from, which ambient chain, why it is unavailable. */
  detail?: string;
}

/** The ambient chains by the server's `authentication` name. */
const AMBIENT_CHAINS = new Map([
  ["aws-ambient", "the ambient AWS credentials"],
  ["google-adc", "the ambient Google credentials (application default)"],
  ["google-workload-identity", "the ambient Google credentials (workload identity)"],
]);

/** Where the central credential comes from, in words. */
function keySource(source: string | undefined): string | undefined {
  if (!source) return undefined;
  if (source === "admin-api") return "stored through the admin API";
  if (source.startsWith("environment:")) return `from $${source.slice("environment:".length)}`;
  if (source === "config") return "from the config file";
  return source;
}

export function credentialText(provider: Provider): CredentialText {
  switch (provider.credentialMode) {
    case "central-key":
      return { badge: "Central key", tone: "ok", detail: keySource(provider.centralKeySource) };
    case "ambient":
      return {
        badge: "Ambient credentials",
        tone: "ok",
        detail: AMBIENT_CHAINS.get(provider.authentication ?? "") ?? "the ambient AWS/Google credentials",
      };
    case "user-keys":
      return { badge: "Users' own keys", tone: "info" };
    case "keyless":
      return {
        badge: "No key needed",
        tone: "neutral",
        detail: provider.authentication === "headers" ? "sends the configured headers" : undefined,
      };
    default:
      return { badge: "Unavailable", tone: "danger", detail: provider.unavailableReason };
  }
}

/**
 * The key policy in a line. A keyless provider's "central key" is no key at all, so the policy says so
 * instead of naming a key that does not exist.
 */
export function keyPolicyText(provider: Provider): string {
  const { centralKey, allowUserKeys, centralKeyFallback } = provider.keyPolicy;
  const keyless = provider.credentialMode === "keyless";
  const parts = [
    centralKey ? (keyless ? "No key needed" : "Central key") : undefined,
    allowUserKeys ? "User keys" : undefined,
    centralKeyFallback ? (keyless ? "Keyless as fallback" : "Central as fallback") : undefined,
  ].filter((part) => part !== undefined);
  return parts.length ? parts.join(" · ") : "—";
}

/** "Set key" makes sense where the policy uses a central key and the provider takes one (not a keyless one). */
export function canSetCentralKey(provider: Provider): boolean {
  return provider.keyPolicy.centralKey && provider.credentialMode !== "keyless";
}
