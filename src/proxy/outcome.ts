import type { CanonicalUsage } from "../canonical/usage.js";
import type { CredentialOrigin } from "../credentials/call-credential.js";
import type { Feature } from "../routing/feature.js";

/**
 * What happened to one client request, refused ones included. The lane creates it when the request arrives,
 * the steps of the request path fill it in, and the exchange's end finalizes it exactly once (status, duration)
 * and hands it to the ticket and the sinks (access log; usage, metrics and notifications later).
 */
export interface RequestOutcome {
  readonly requestId: string;
  /** The route's path (`/v1/messages`). */
  readonly route: string;
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
  /** The request went to the provider (it may bill it even if the answer never arrives). */
  upstreamSent: boolean;
  /** Stream events relayed to the client: the output estimate when a stream ends before its usage. */
  relayedEvents: number;
  /** Whole request, arrival to end, in milliseconds. */
  durationMs: number;
}

export function newOutcome(requestId: string, route: string): RequestOutcome {
  return {
    requestId,
    route,
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
    upstreamSent: false,
    relayedEvents: 0,
    durationMs: 0,
  };
}
