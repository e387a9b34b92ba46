import type { Principal } from "../auth/principal.js";
import type { CanonicalUsage } from "../canonical/usage.js";
import type { Catalogue, ResolvedModel, ResolvedProvider } from "../config/index.js";
import type { Feature } from "../routing/feature.js";
import type { UpstreamClient } from "../upstream/index.js";

/** What happened to one proxied request; metering, limits and metrics read it. */
export interface RequestOutcome {
  requestId: string;
  actorId: string | undefined;
  feature: Feature;
  modelRef: string;
  providerId: string;
  stream: boolean;
  /** The status the client got: 499 when it went away, the error's status after a mid-stream failure. */
  status: number;
  usage: CanonicalUsage | undefined;
  durationMs: number;
  errorCode?: string;
}

/** What admission sees of a request before the upstream call. */
export interface AdmissionContext {
  principal: Principal | undefined;
  feature: Feature;
  model: ResolvedModel;
  provider: ResolvedProvider;
  estimatedInputTokens: number;
  /** The output the request may produce: its max tokens, else the model's limit. */
  maxOutputTokens: number;
  /** Sets a response header (x-ratelimit-*). */
  setHeader(name: string, value: string): void;
}

/** An admitted request; `finish` is called exactly once, with the outcome, however the request ended. */
export interface AdmissionTicket {
  finish(outcome: RequestOutcome): void;
}

export interface ProxyDeps {
  catalogue: () => Catalogue;
  upstream: UpstreamClient;
  /**
   * Authorization and admission (allowed models, limits) before the upstream call; throws a
   * GatewayError to refuse. Absent: everything is admitted.
   */
  admit?: (context: AdmissionContext) => AdmissionTicket | undefined | Promise<AdmissionTicket | undefined>;
  onOutcome?: (outcome: RequestOutcome) => void;
}
