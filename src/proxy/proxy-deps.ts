import type { Principal } from "../auth/principal.js";
import type { Catalogue, ResolvedModel, ResolvedProvider } from "../config/index.js";
import type { CredentialDecision } from "../credentials/credential-resolver.js";
import type { Feature } from "../routing/feature.js";
import type { UpstreamClient } from "../upstream/index.js";
import type { RequestOutcome } from "./outcome.js";

export type { RequestOutcome } from "./outcome.js";

/** What admission sees of a request before the upstream call (authorization has passed). */
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

/** An admitted request; `finish` is called exactly once, by the request's end, with the final outcome. */
export interface AdmissionTicket {
  finish(outcome: RequestOutcome): void;
}

/** The "resolve credential" step (src/credentials/credential-resolver.ts): the key policy, from memory. */
export interface CredentialStep {
  resolve(actorId: string | undefined, provider: ResolvedProvider): CredentialDecision;
}

/** Sees the steps of requests as they happen (metrics' in-flight gauges); the end is seen by the lane's sinks. */
export interface RequestObserver {
  /** A request's call was handed to the upstream client (once per request, fan-outs included). */
  upstreamStarted(outcome: RequestOutcome): void;
}

export interface ProxyDeps {
  observer?: RequestObserver;
  catalogue: () => Catalogue;
  credentials: CredentialStep;
  upstream: UpstreamClient;
  /**
   * Admission (concurrency, rate, tokens, budget) before the upstream call; throws a GatewayError to refuse.
   * Absent: everything is admitted.
   */
  admit?: (context: AdmissionContext) => AdmissionTicket | undefined | Promise<AdmissionTicket | undefined>;
}
