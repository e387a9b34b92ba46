import type { CanonicalUsage } from "../canonical/usage.js";
import type { CredentialOrigin } from "../credentials/call-credential.js";
import type { IngressName } from "../ingress/ingress-name.js";
import type { Feature } from "../routing/feature.js";
import type { Pricing } from "../usage/cost.js";

/**
 * What happened to one client request, refused ones included. The lane creates it when the request arrives,
 * the steps of the request path fill it in, and the exchange's end finalizes it exactly once (status, duration)
 * and hands it to the ticket and the sinks (access log; usage, metrics and notifications later).
 */
export interface RequestOutcome {
  readonly requestId: string;
  /** The route's path (`/v1/messages`). */
  readonly route: string;
  /**
   * The client API that answered (`openai`, `anthropic`, `openai-responses`, `cody`): the route's ingress, which a
   * path alone does not tell where two share one (`/v1/embeddings` with a Cody token).
   */
  readonly dialect: IngressName;
  /** When the request arrived, epoch milliseconds. */
  readonly startedAt: number;
  /** `performance.now()` at arrival: the origin of the `*Ms` marks below. */
  readonly arrival: number;
  /** The OpenTelemetry trace and span of the request, when tracing set them. */
  traceId: string | undefined;
  spanId: string | undefined;
  /** The upstream URL the call went to (first endpoint), without its query (a key may travel there). */
  endpointUrl: string | undefined;
  actorId: string | undefined;
  tokenId: string | undefined;
  feature: Feature | undefined;
  modelRef: string | undefined;
  providerId: string | undefined;
  stream: boolean;
  /** Whose credential the upstream call used (the caller's own key, a central one, ambient): usage, explain. */
  credential: CredentialOrigin | undefined;
  /**
   * Final status: the one the client got; 499 when it went away before the end; the error's status when a
   * stream that had started with 200 failed midway.
   */
  status: number;
  /** The catalogue code of the error that ended the request, if one did. */
  errorCode: string | undefined;
  usage: CanonicalUsage | undefined;
  /**
   * What admission assumed before the call: the input estimate and the most output the request may produce.
   * When the request ends billed but without usage (the client left, the deadline passed, a stream broke),
   * `usage` becomes the input estimate plus about one token per relayed event, and `usageEstimated` says so.
   */
  estimate: { inputTokens: number; maxOutputTokens: number } | undefined;
  usageEstimated: boolean;
  /** The model's prices (set by routing), and the request's cost from them and `usage` (set at the end). */
  pricing: Pricing | undefined;
  costUsd: number | undefined;
  /** The request went to the provider (it may bill it even if the answer never arrives). */
  upstreamSent: boolean;
  /** Stream events relayed to the client: the output estimate when a stream ends before its usage. */
  relayedEvents: number;
  /** Whole request, arrival to end, in milliseconds. */
  durationMs: number;
  /** Milliseconds from arrival: the call was handed to the upstream client. */
  upstreamSentMs: number | undefined;
  /** … the upstream's answer started (its status and headers). */
  upstreamFirstByteMs: number | undefined;
  /** … a whole (not streamed) upstream answer had been read. */
  upstreamDoneMs: number | undefined;
  /** … the first bytes of the answer were written to the client (for a stream: its first event). */
  clientFirstByteMs: number | undefined;
}

/**
 * Ended without usage after the request went out: the client left, the deadline passed, or the answer had begun
 * (a stream broken midway). The provider bills such requests; a refusal or transport failure it never answered
 * is not billed.
 */
export function mayBeBilled(outcome: RequestOutcome): boolean {
  return outcome.status === 499 || outcome.status === 504 || outcome.relayedEvents > 0;
}

/** At the request's end: a billed request without usage gets the estimate (limits, usage events and cost agree). */
export function estimateMissingUsage(outcome: RequestOutcome): void {
  const estimate = outcome.estimate;
  if (outcome.usage || !estimate || !outcome.upstreamSent || !mayBeBilled(outcome)) return;
  outcome.usage = {
    inputTokens: estimate.inputTokens,
    outputTokens: Math.min(outcome.relayedEvents, estimate.maxOutputTokens),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
  outcome.usageEstimated = true;
}

/** An upstream URL as the outcome keeps it: without the query, where some providers take their key. */
export function endpointOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

type Mark = "upstreamSentMs" | "upstreamFirstByteMs" | "upstreamDoneMs" | "clientFirstByteMs";

/** Records the time of a step of the request, once (the first time counts: a failover's retry does not move it). */
export function mark(outcome: RequestOutcome, step: Mark): void {
  if (outcome[step] === undefined)
    outcome[step] = Math.round((performance.now() - outcome.arrival) * 100) / 100;
}

export function newOutcome(
  requestId: string,
  route: string,
  dialect: IngressName,
  arrival = performance.now(),
): RequestOutcome {
  return {
    requestId,
    route,
    dialect,
    startedAt: Date.now() - (performance.now() - arrival),
    arrival,
    traceId: undefined,
    spanId: undefined,
    endpointUrl: undefined,
    actorId: undefined,
    tokenId: undefined,
    feature: undefined,
    modelRef: undefined,
    providerId: undefined,
    stream: false,
    credential: undefined,
    status: 0,
    errorCode: undefined,
    usage: undefined,
    estimate: undefined,
    usageEstimated: false,
    pricing: undefined,
    costUsd: undefined,
    upstreamSent: false,
    relayedEvents: 0,
    durationMs: 0,
    upstreamSentMs: undefined,
    upstreamFirstByteMs: undefined,
    upstreamDoneMs: undefined,
    clientFirstByteMs: undefined,
  };
}
