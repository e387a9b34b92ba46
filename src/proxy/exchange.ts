import type { IncomingHttpHeaders } from "node:http";
import type { Principal } from "../auth/principal.js";

/**
 * One client request as the proxy handlers see it: what came in (authenticated, body parsed) and
 * how to answer. The server owns the HTTP side (request ids, errors, access log); handlers only
 * read the request and send one answer. Keeping this narrow lets the hot routes run without a
 * framework per request (see src/server/lane/).
 */
export interface Exchange {
  readonly id: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body. */
  readonly body: unknown;
  readonly principal: Principal | undefined;
  /** Adds a response header; only before the answer is sent. */
  header(name: string, value: string): void;
  /** Called once if the client goes away before the whole answer was written. */
  onClientGone(listener: () => void): void;
  /** A whole JSON answer: bytes or text sent as they are, anything else serialised. */
  sendJson(status: number, body: Buffer | string | object): void;
  /**
   * A streamed answer, written as the iterable yields (with backpressure). `done` runs once when the
   * stream has ended, failed or the client has gone, after the last write.
   */
  sendStream(
    status: number,
    headers: Record<string, string>,
    body: AsyncIterable<string>,
    done: (clientGone: boolean) => void,
  ): void;
}
