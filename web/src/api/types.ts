/** The admin API's shapes as the console reads them (docs: GET /admin/api/openapi.json). */

export type Role = "admin" | "readonly" | "user";

export interface Me {
  actorId: string;
  name: string;
  role: Role;
  tokenId: string;
}

export type Source = "file" | "builtin" | "database";

export interface KeyPolicy {
  centralKey: boolean;
  allowUserKeys: boolean;
  centralKeyFallback: boolean;
}

export type CredentialMode = "central-key" | "ambient" | "user-keys" | "keyless" | "unavailable";

export interface Provider {
  id: string;
  displayName: string;
  type: string;
  credentialMode: CredentialMode;
  centralKeySource?: string;
  authentication?: string;
  storedCentralKey: boolean;
  keyPolicy: KeyPolicy;
  userKeysSaved: number;
  unavailableReason?: string;
  source?: Source;
  editable?: boolean;
  settings?: Record<string, unknown>;
  region?: string;
}

export const FEATURES = ["chat", "fastChat", "codeCompletion"] as const;
export type DefaultFeature = (typeof FEATURES)[number];

export const CAPABILITIES = [
  "chat",
  "autocomplete",
  "edit",
  "vision",
  "tools",
  "reasoning",
  "embeddings",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface Pricing {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface Model {
  ref: string;
  providerId: string;
  apiVersion: string;
  id: string;
  modelName: string;
  displayName: string;
  capabilities: Capability[];
  category?: string;
  status?: string;
  tier?: string;
  contextWindow: { maxInputTokens: number; maxOutputTokens: number };
  options?: Record<string, unknown>;
  pricing?: Pricing;
  available: boolean;
  source: Source;
  editable: boolean;
  defaultFor: DefaultFeature[];
}

export type Defaults = Record<DefaultFeature, string | null>;

export interface ModelList {
  models: Model[];
  defaults: Defaults;
}

export interface Limit {
  requests?: number;
  tokens?: number;
  interval?: string;
  concurrent?: number;
}

export const LIMIT_FEATURES = ["*", "chat", "fastChat", "codeCompletion", "embeddings"] as const;
export type LimitFeature = (typeof LIMIT_FEATURES)[number];
export type Limits = Partial<Record<LimitFeature, Limit>>;

export interface Budget {
  usd: number;
  period: "day" | "week" | "month";
}

export interface Actor {
  id: string;
  name: string;
  role: Role;
  status: "active" | "disabled";
  allowedModels: string[] | null;
  limits: Limits | null;
  budget: Budget | null;
  source: "config" | "database" | "external";
  createdAt?: string;
  updatedAt?: string;
}

export interface Token {
  id: string;
  name: string;
  actorId: string;
  hint?: string;
  state?: "active" | "revoked" | "expired";
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedToken {
  id: string;
  actorId: string;
  token: string;
}

export interface UsageTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
}

export type UsageRow = UsageTotals & Record<string, string | number | null>;

export interface UsageAnswer {
  from: string;
  to: string;
  groupBy: string[];
  rows: UsageRow[];
}

export interface UsageEvent {
  time: string;
  requestId: string;
  actorId: string | null;
  feature: string | null;
  route: string;
  modelRef: string | null;
  providerId: string | null;
  status: number;
  errorCode: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  ttftMs: number | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: string | null;
  action: string;
  target: string | null;
  details: unknown;
}

export interface AuditPage {
  entries: AuditEntry[];
  next?: number;
}

export type KeyStatus = "key_saved" | "using_shared_key" | "no_key";

export interface MyKey {
  providerId: string;
  displayName: string;
  status: KeyStatus;
  last4?: string;
}

export interface Spread {
  avg: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

/** `POST /admin/api/latency-test`'s answer (milliseconds); the browser's own run has the same shape. */
export interface LatencyReport {
  model: string;
  requests: number;
  ok: number;
  failed: number;
  firstError?: string;
  ttftMs?: Spread;
  totalMs?: Spread;
}

export interface DefaultsAnswer {
  defaults: Defaults;
  sources: Partial<Record<DefaultFeature, "file" | "database" | "automatic">>;
}
