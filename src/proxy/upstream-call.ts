import { formatDuration } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import type { Exchange } from "./exchange.js";

/**
 * The abort signal of one upstream call: fired when the client goes away, or when the request's total deadline
 * (`timeouts.total`) passes — an upstream that trickles bytes or keep-alive comments would otherwise hold the
 * request open for ever, since each byte resets the idle timeout. `failure` turns whatever the aborted call
 * threw into the error the client should see.
 */
export class UpstreamCall {
  private readonly controller = new AbortController();

  constructor(exchange: Exchange, providerId: string, totalMs: number) {
    exchange.onClientGone(() => this.controller.abort());
    const timer = setTimeout(() => {
      this.controller.abort(
        new GatewayError(
          "upstream_timeout",
          `${providerId} did not finish within the request's total deadline of ${formatDuration(totalMs)}`,
        ),
      );
    }, totalMs);
    exchange.onEnd(() => clearTimeout(timer));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The deadline's error when the deadline ended the call, else the error as thrown. */
  failure(error: unknown): unknown {
    const reason = this.controller.signal.reason as unknown;
    return this.controller.signal.aborted && reason instanceof GatewayError ? reason : error;
  }
}
