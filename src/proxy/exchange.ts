import type { IncomingHttpHeaders } from "node:http";
import type { Principal } from "../auth/principal.js";
import type { RequestTrace } from "../telemetry/tracing.js";
import type { RequestOutcome } from "./outcome.js";
import type { AdmissionTicket } from "./proxy-deps.js";

/**
 * One client request as the proxy handlers see it: what came in (authenticated, body parsed), its outcome to
 * fill in, and how to answer. The server owns the HTTP side and the request's single end (the outcome is
 * finalized, the admission ticket settled and the sinks fed when the response closes, however it closes);
 * handlers only read the request, record what they learn and send one answer. Keeping this narrow lets the
 * hot routes run without a framework per request (see src/server/lane/).
 */
export interface Exchange {
  readonly id: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; dropped once a streamed answer starts (a held stream would keep it for minutes). */
  readonly body: unknown;
  readonly principal: Principal | undefined;
  readonly outcome: RequestOutcome;
  /** The request's trace (the server's span): the upstream call continues it. */
  readonly trace?: RequestTrace;
  /** True once the response has closed (answered, failed or the client gone): nothing more can be sent. */
  readonly ended: boolean;
  /**
   * Hands the admission ticket to the request's end, which settles or releases it exactly once. When the
   * request has already ended (the client left while admission waited on Redis), it is finished at once.
   */
  admitted(ticket: AdmissionTicket | undefined): void;
  /** Adds a response header; only before the answer is sent. */
  header(name: string, value: string): void;
  /** Called once if the client goes away before the whole answer was written. */
  onClientGone(listener: () => void): void;
  /** Called once when the response has closed, whatever the reason (timers are cleared here). */
  onEnd(listener: () => void): void;
  /** A whole JSON answer: bytes or text sent as they are, anything else serialised. */
  sendJson(status: number, body: Buffer | string | object): void;
  /** A streamed answer, written as the iterable yields (with backpressure); the request ends after it. */
  sendStream(status: number, headers: Record<string, string>, body: AsyncIterable<string>): void;
}
