import type { PathSegment, Severity } from "../problems.js";
import type { Capability, Category, ProviderType, Status, Tier } from "../schema/enums.js";
import type {
  ContextWindow,
  KeyPolicy,
  ModelClientSideConfig,
  ModelOptions,
  ModelServerSideConfig,
  Pricing,
  ProviderServerSideConfig,
  Timeouts,
} from "../schema/model-configuration.js";
import type { Secret } from "../secret.js";

/**
 * How the gateway authenticates to a provider with its central credentials:
 * - `config-key`: accessToken from the config file; `environment`: from `credentialSource` (an env var);
 * - `aws-static` (SigV4 keys), `aws-bearer` (Bedrock API key), `aws-ambient` (SDK chain);
 * - `google-service-account` (base64 JSON in accessToken), `google-workload-identity`, `google-adc` (ambient);
 * - `azure-entra` (no key: Azure identity); `headers` (custom headers per endpoint); `none` (open endpoint);
 * - `user-keys`: no usable central credential, users bring their own (keyPolicy); `missing`: unusable.
 */
export type CredentialMode =
  | "config-key"
  | "environment"
  | "aws-static"
  | "aws-bearer"
  | "aws-ambient"
  | "google-service-account"
  | "google-workload-identity"
  | "google-adc"
  | "azure-entra"
  | "headers"
  | "none"
  | "user-keys"
  | "missing";

export type GoogleApi = "gemini" | "vertex" | "vertex-anthropic";

export interface ResolvedProvider {
  id: string;
  displayName: string;
  type: ProviderType;
  /** The typed server config; `endpoint` (and openai-compatible `endpoints[].url`) normalised to base URLs. */
  serverConfig: ProviderServerSideConfig;
  credentialMode: CredentialMode;
  /** The env var the key came from (`environment`, `aws-bearer`), for messages. */
  credentialSource?: string;
  /** The central key or token when there is one (config or environment). */
  centralKey?: Secret;
  keyPolicy: KeyPolicy;
  /** True when requests can be served: with central credentials, or per user when user keys are allowed. */
  available: boolean;
  unavailableReason?: string;
  /** Set when no key can make the provider usable (a feature it needs is not built): the reason. */
  blockedReason?: string;
  googleApi?: GoogleApi;
  /** AWS region for Bedrock providers. */
  region?: string;
  timeouts?: Timeouts;
  builtin: boolean;
}

export interface ResolvedModel {
  ref: string;
  providerId: string;
  apiVersion: string;
  id: string;
  modelName: string;
  displayName: string;
  capabilities: readonly Capability[];
  category: Category;
  status: Status;
  tier: Tier;
  contextWindow: ContextWindow;
  options: ModelOptions;
  pricing?: Pricing;
  reasoningEffort?: "low" | "medium" | "high";
  clientSideConfig?: ModelClientSideConfig;
  serverSideConfig?: ModelServerSideConfig;
  timeouts?: Timeouts;
  available: boolean;
}

export interface DefaultModels {
  chat: string | null;
  fastChat: string | null;
  codeCompletion: string | null;
}

export interface Catalogue {
  readonly revision: string;
  readonly providers: readonly ResolvedProvider[];
  readonly models: readonly ResolvedModel[];
  readonly defaults: Readonly<DefaultModels>;
  byRef(ref: string): ResolvedModel | undefined;
  /** A model by its bare id (`gpt-4o`) when exactly one model has it; see `refsForId` for ambiguity. */
  byId(id: string): ResolvedModel | undefined;
  refsForId(id: string): readonly string[];
  provider(id: string): ResolvedProvider | undefined;
}

/** How resolving the catalogue reports a problem at a config path (collected into the load result). */
export type Report = (path: PathSegment[], message: string, severity: Severity) => void;
