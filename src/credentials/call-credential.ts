import type { CredentialMode, Secret } from "../config/index.js";

/** Where the credential of one upstream call came from (shown by `explain`, recorded with usage). */
export type CredentialOrigin =
  /** The provider's `accessToken` in the config file (or its environment variable). */
  | "config"
  /** A central key an administrator set through the admin API (stored encrypted). */
  | "stored"
  /** No key: the AWS credential chain or Google's application default credentials. */
  | "ambient"
  /** An endpoint that needs no key, or takes only configured headers. */
  | "keyless"
  /** The caller's own key (BYOK). */
  | "user";

/**
 * The credential one upstream call authenticates with, resolved by the key policy. One object per
 * (caller, provider, key): signers are cached on it, so it stays the same while the key does.
 */
export interface CallCredential {
  /** The key or token; absent for ambient and keyless credentials. */
  readonly key: Secret | undefined;
  /** How the provider uses it (a Bedrock key is a bearer token or SigV4 keys by its shape). */
  readonly mode: CredentialMode;
  readonly origin: CredentialOrigin;
  /** AWS region, for Bedrock. */
  readonly region?: string;
}
