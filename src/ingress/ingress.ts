import type { IncomingHttpHeaders } from "node:http";
import type { ErrorAnswer, GatewayError } from "../errors/index.js";
import type { RequestOutcome } from "../proxy/outcome.js";
import type { IngressName } from "./ingress-name.js";

export type { IngressName } from "./ingress-name.js";

/**
 * What a client API adds around the shared request path: checks of its headers before authentication, headers
 * every answer carries, and its error shape (rate-limit headers included). Parsing and the feature are the
 * route's (src/proxy/generation-routes.ts), since one ingress serves several body shapes.
 */
export interface Ingress {
  readonly name: IngressName;
  /** Refuses a request by its headers before the token is looked up (Cody's Authorization type check). */
  precheck?(headers: IncomingHttpHeaders): void;
  /** Headers of every answer, set as the request starts (Cody's `X-Trace-Span`). */
  started?(
    ids: { traceId: string; spanId: string },
    answer: { header(name: string, value: string): void },
  ): void;
  /** An error before the answer started, in this API's shape; the outcome says what is known (the feature). */
  renderError(error: GatewayError, outcome: Pick<RequestOutcome, "feature">): ErrorAnswer;
}
