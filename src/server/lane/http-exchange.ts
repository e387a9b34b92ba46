import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Principal } from "../../auth/principal.js";
import type { Exchange } from "../../proxy/exchange.js";
import { mark, type RequestOutcome } from "../../proxy/outcome.js";
import type { AdmissionTicket } from "../../proxy/proxy-deps.js";
import type { RequestTrace } from "../../telemetry/tracing.js";

const jsonType = "application/json";

/** Resolves true once the response can take more, false when the client has gone. */
function drained(response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => {
      response.off("close", onClose);
      resolve(true);
    };
    const onClose = () => {
      response.off("drain", onDrain);
      resolve(false);
    };
    response.once("drain", onDrain);
    response.once("close", onClose);
  });
}

/**
 * An Exchange over node:http. Response headers are gathered in a flat list and written once with
 * `writeHead`, which is cheaper than `setHeader` per header and keeps error answers carrying the
 * headers set before the error (x-request-id, x-ratelimit-*).
 *
 * The response's 'close' event fires exactly once however the request ends (answered, failed, destroyed,
 * client gone), so it is the request's single end: the lane's `onClose` finalizes the outcome there.
 */
export class HttpExchange implements Exchange {
  readonly headers: IncomingHttpHeaders;
  body: unknown;
  principal: Principal | undefined;
  /** The admission ticket, finished by the request's end (`onClose`). */
  ticket: AdmissionTicket | undefined;
  private out: string[] = [];
  private goneListeners: Array<() => void> | undefined;
  private endListeners: Array<() => void> | undefined;
  private closed = false;

  constructor(
    readonly id: string,
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly outcome: RequestOutcome,
    /** The request's server span (or its ids only); the upstream call continues it. */
    readonly trace: RequestTrace,
    /** The lane, to see whether the server started closing while this request ran. */
    private readonly lane: { readonly closing: boolean },
    /** Runs once when the response has closed, with the status the client got (499: gone before the end). */
    onClose: (exchange: HttpExchange, status: number) => void,
  ) {
    this.headers = request.headers;
    response.once("close", () => {
      this.closed = true;
      const finished = response.writableFinished;
      if (!finished && this.goneListeners) for (const listener of this.goneListeners) listener();
      if (this.endListeners) for (const listener of this.endListeners) listener();
      onClose(this, finished ? response.statusCode : 499);
    });
  }

  get ended(): boolean {
    return this.closed;
  }

  admitted(ticket: AdmissionTicket | undefined): void {
    if (ticket === undefined) return;
    // Ended while admission waited (Redis): nothing will end the request again, so finish the ticket now.
    if (this.closed) ticket.finish(this.outcome);
    else this.ticket = ticket;
  }

  onEnd(listener: () => void): void {
    if (this.closed) listener();
    else if (this.endListeners) this.endListeners.push(listener);
    else this.endListeners = [listener];
  }

  /** Sets a header, replacing an earlier value of the same (lower-case) name. */
  header(name: string, value: string): void {
    const out = this.out;
    for (let i = 0; i < out.length; i += 2) {
      if (out[i] === name) {
        out[i + 1] = value;
        return;
      }
    }
    out.push(name, value);
  }

  onClientGone(listener: () => void): void {
    if (this.closed) {
      if (!this.response.writableFinished) listener();
      return;
    }
    if (this.goneListeners) this.goneListeners.push(listener);
    else this.goneListeners = [listener];
  }

  get answered(): boolean {
    return this.response.headersSent;
  }

  /** While the server closes, answers end their connection so the close does not wait for idle keep-alives. */
  private closeIfShuttingDown(): void {
    if (this.lane.closing) this.header("connection", "close");
  }

  sendJson(status: number, body: Buffer | string | object, contentType = jsonType): void {
    this.closeIfShuttingDown();
    const payload = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const length = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
    this.out.push("content-type", contentType, "content-length", String(length));
    mark(this.outcome, "clientFirstByteMs");
    this.response.writeHead(status, this.out);
    this.response.end(payload);
  }

  sendStream(status: number, headers: Record<string, string>, body: AsyncIterable<string>): void {
    this.closeIfShuttingDown();
    for (const name in headers) this.header(name, headers[name] as string);
    // The handler is done with the request's body once it answers; the exchange lives as long as the stream.
    this.body = undefined;
    this.response.writeHead(status, this.out);
    this.headWritten();
    // A relay that throws (it should end with an error record instead) cuts the connection: the client
    // must not take a truncated stream for a complete one.
    this.pump(body).catch(() => this.response.destroy());
  }

  /**
   * What a stream's response keeps of its head is trimmed, as the stream may last minutes: the header list is
   * not needed any more, and node:http builds the header block it keeps (`_header`) by `+=`, a tree of about
   * 65 small strings (~2 KB); measuring it flattens it in place into one string (~0.4 KB).
   */
  private headWritten(): void {
    this.out = [];
    const head = (this.response as { _header?: unknown })._header;
    if (typeof head === "string") Buffer.byteLength(head);
  }

  /** Writes the stream with backpressure until it ends or the client goes away. */
  private async pump(body: AsyncIterable<string>): Promise<void> {
    const response = this.response;
    let first = true;
    for await (const text of body) {
      // Leaving the loop returns the iterator, which ends the relay and releases the upstream body.
      if (response.destroyed) return;
      if (first) {
        mark(this.outcome, "clientFirstByteMs");
        first = false;
      }
      if (!response.write(text) && !(await drained(response))) return;
    }
    if (!response.destroyed) response.end();
  }
}
