import {
  type CredentialMode,
  credentialsForKey,
  type Environment,
  type ResolvedProvider,
} from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import type { CallCredential, CredentialOrigin } from "./call-credential.js";
import type { KeyDirectory } from "./key-directory.js";
import { chooseKey, type KeyChoice } from "./key-policy.js";

export type CredentialDecision =
  | { ok: true; credential: CallCredential; choice: KeyChoice }
  | { ok: false; error: GatewayError; choice?: KeyChoice };

/** What `GET /v1/me/keys` says about one provider for one caller. */
export type KeyStatus = "key_saved" | "using_shared_key" | "no_key";

const ambientModes: ReadonlySet<CredentialMode> = new Set([
  "aws-ambient",
  "google-adc",
  "google-workload-identity",
]);
const keylessModes: ReadonlySet<CredentialMode> = new Set(["headers", "none"]);

function originOf(mode: CredentialMode): CredentialOrigin {
  if (ambientModes.has(mode)) return "ambient";
  if (keylessModes.has(mode)) return "keyless";
  return "config";
}

type Central = { credential: CallCredential } | { reason: string };

/**
 * The "resolve credential" step of the request path (DESIGN §2): for a caller and a provider, the credential
 * the key policy picks, from memory only. Central credentials come from a key set through the admin API
 * (which wins: an administrator set it to be used) or from the config (`accessToken`, its environment
 * variable, the ambient AWS or Google chain); a caller's own key from the KeyDirectory.
 *
 * Results are cached per provider object and key-directory version, so a credential object stays the same
 * while its key does (signers cache tokens and derived keys on it) and a reload or key change starts afresh.
 */
export class CredentialResolver {
  private centrals = new WeakMap<ResolvedProvider, { version: number; central: Central }>();
  private users = new Map<string, { provider: ResolvedProvider; credential: CallCredential | string }>();
  private usersVersion = -1;

  constructor(
    private readonly keys: KeyDirectory,
    private readonly env: Environment,
  ) {}

  resolve(actorId: string | undefined, provider: ResolvedProvider): CredentialDecision {
    if (provider.blockedReason !== undefined)
      return {
        ok: false,
        error: new GatewayError("not_implemented", `provider \`${provider.id}\`: ${provider.blockedReason}`),
      };
    const policy = provider.keyPolicy;
    const own =
      policy.allowUserKeys && actorId !== undefined ? this.userCredential(actorId, provider) : undefined;
    const choice = chooseKey(policy, own !== undefined);
    if (choice.use === "user") {
      if (typeof own === "string") {
        return {
          ok: false,
          choice,
          error: new GatewayError(
            "no_usable_key",
            `your saved key for provider \`${provider.id}\` cannot be used (${own}); save a new one with PUT /v1/me/keys/${provider.id}`,
          ),
        };
      }
      return { ok: true, credential: own!, choice };
    }
    if (choice.use === "none") {
      return {
        ok: false,
        choice,
        error: new GatewayError(
          "no_usable_key",
          `provider \`${provider.id}\` needs your personal API key; save one with PUT /v1/me/keys/${provider.id}`,
        ),
      };
    }
    const central = this.central(provider);
    if ("credential" in central) return { ok: true, credential: central.credential, choice };
    return {
      ok: false,
      choice,
      error: new GatewayError(
        "gateway_unavailable",
        `provider \`${provider.id}\` has no usable credentials: ${central.reason}`,
      ),
    };
  }

  /** Whether the caller can use the provider's models now (model listings). */
  usable(actorId: string | undefined, provider: ResolvedProvider): boolean {
    return this.resolve(actorId, provider).ok;
  }

  /** For a provider that allows user keys: whether the caller saved one, or is served by the central key. */
  keyStatus(actorId: string, provider: ResolvedProvider): { status: KeyStatus; last4?: string } {
    const saved = this.keys.userKey(actorId, provider.id);
    if (saved) return { status: "key_saved", last4: saved.hint };
    const choice = chooseKey(provider.keyPolicy, false);
    return choice.use === "central" && "credential" in this.central(provider)
      ? { status: "using_shared_key" }
      : { status: "no_key" };
  }

  /** Whether an administrator set the provider's central key through the admin API. */
  hasStoredCentralKey(providerId: string): boolean {
    return this.keys.centralKey(providerId) !== undefined;
  }

  /** The provider's central credential, or why it has none. */
  central(provider: ResolvedProvider): Central {
    const version = this.keys.version;
    const cached = this.centrals.get(provider);
    if (cached?.version === version) return cached.central;
    const central = this.buildCentral(provider);
    this.centrals.set(provider, { version, central });
    return central;
  }

  private buildCentral(provider: ResolvedProvider): Central {
    if (!provider.keyPolicy.centralKey)
      return { reason: "its key policy turns central keys off (`keyPolicy.centralKey: false`)" };
    const stored = this.keys.centralKey(provider.id);
    if (stored) {
      const resolved = credentialsForKey(provider.serverConfig, stored.key, this.env);
      if (resolved.error || !resolved.available) {
        return {
          reason: `the key set through the admin API cannot be used: ${resolved.error?.message ?? resolved.warning ?? resolved.mode}`,
        };
      }
      return {
        credential: Object.freeze({
          key: stored.key,
          mode: resolved.mode,
          origin: "stored",
          ...(resolved.region ? { region: resolved.region } : {}),
        }),
      };
    }
    if (provider.credentialMode === "missing" || provider.credentialMode === "user-keys") {
      return {
        reason:
          provider.unavailableReason ??
          "no central key: set `accessToken`, its environment variable, or a key through the admin API",
      };
    }
    return {
      credential: Object.freeze({
        key: provider.centralKey,
        mode: provider.credentialMode,
        origin: originOf(provider.credentialMode),
        ...(provider.region ? { region: provider.region } : {}),
      }),
    };
  }

  /** The caller's own key as a credential, a reason it cannot work, or undefined when none is saved. */
  private userCredential(actorId: string, provider: ResolvedProvider): CallCredential | string | undefined {
    const stored = this.keys.userKey(actorId, provider.id);
    if (!stored) return undefined;
    if (this.usersVersion !== this.keys.version) {
      this.users.clear();
      this.usersVersion = this.keys.version;
    }
    const cacheKey = `${actorId}\u0000${provider.id}`;
    const cached = this.users.get(cacheKey);
    if (cached?.provider === provider) return cached.credential;
    const resolved = credentialsForKey(provider.serverConfig, stored.key, this.env);
    const credential: CallCredential | string =
      resolved.error || !resolved.available
        ? (resolved.error?.message ?? resolved.warning ?? "unusable")
        : Object.freeze({
            key: stored.key,
            mode: resolved.mode,
            origin: "user",
            ...(resolved.region ? { region: resolved.region } : {}),
          });
    this.users.set(cacheKey, { provider, credential });
    return credential;
  }
}
