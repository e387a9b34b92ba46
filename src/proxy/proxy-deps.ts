import type { CanonicalUsage } from "../canonical/usage.js";
import type { Catalogue } from "../config/index.js";
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

export interface ProxyDeps {
  catalogue: () => Catalogue;
  upstream: UpstreamClient;
  onOutcome?: (outcome: RequestOutcome) => void;
}
