import { formatDuration } from "../config/index.js";
import type { Dialect } from "../dialects/dialect.js";
import { GatewayError } from "../errors/index.js";
import type { UpstreamTarget } from "../providers/types.js";
import { traceCall } from "../upstream/call-trace.js";
import { withClientHeaders } from "./client-headers.js";
import type { Exchange } from "./exchange.js";
import { endpointOf, mark } from "./outcome.js";
import { type Routed, timeoutsFor } from "./prepare.js";
import type { ProxyDeps, RequestObserver } from "./proxy-deps.js";

/**
 * The abort signal of one upstream call: fired when the client goes away, or when the request's total deadline
 * (`timeouts.total`) passes — an upstream that trickles bytes or keep-alive comments would otherwise hold the
 * request open for ever, since each byte resets the idle timeout. `failure` turns whatever the aborted call
 * threw into the error the client should see.
 */
/** Why whatever still runs upstream for a request is aborted at its end; nobody is waiting for it any more. */
const REQUEST_ENDED = Object.freeze(new Error("the request has ended"));
/**
 * Why the upstream call is aborted when its client has gone, shared too: a DOMException per call was built with
 * its stack, which the stream layer formats when undici destroys the body with it (~2 KB a request), all at once
 * when many clients leave together (5,000 held streams closed: tens of MB of garbage in a second).
 */
const CLIENT_GONE = Object.freeze(new DOMException("the client closed the connection", "AbortError"));

export class UpstreamCall {
  private readonly controller = new AbortController();
  /** The whole answer has been read: nothing of this call runs upstream any more. */
  private done = false;

  constructor(
    private readonly exchange: Exchange,
    providerId: string,
    totalMs: number,
    observer?: RequestObserver,
  ) {
    // Made right before the call is handed to the upstream client.
    const outcome = exchange.outcome;
    mark(outcome, "upstreamSentMs");
    observer?.upstreamStarted(outcome);
    // The call's client span: the upstream client sends its `traceparent` with every attempt.
    const trace = exchange.trace?.upstream(outcome);
    if (trace) traceCall(this.controller.signal, trace);
    exchange.onClientGone(() => this.controller.abort(CLIENT_GONE));
    const timer = setTimeout(() => {
      this.controller.abort(
        new GatewayError(
          "upstream_timeout",
          `${providerId} did not finish within the request's total deadline of ${formatDuration(totalMs)}`,
        ),
      );
    }, totalMs);
    // The request is over: nothing may still run for it upstream (an embeddings fan-out's other calls).
    exchange.onEnd(() => {
      clearTimeout(timer);
      // Aborting dispatches an event even with nobody listening (~2 µs a request): only a call still running.
      // A shared reason: `abort()` without one builds a DOMException (with its stack) at every request's end.
      if (!this.done) this.controller.abort(REQUEST_ENDED);
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The upstream's answer started; `whole`: its whole body has been read too. */
  answered(whole = false): void {
    mark(this.exchange.outcome, "upstreamFirstByteMs");
    if (whole) {
      mark(this.exchange.outcome, "upstreamDoneMs");
      this.done = true;
    }
  }

  /** The deadline's error when the deadline ended the call, else the error as thrown. */
  failure(error: unknown): unknown {
    const reason = this.controller.signal.reason as unknown;
    return this.controller.signal.aborted && reason instanceof GatewayError ? reason : error;
  }
}

/**
 * One whole (not streamed) same-dialect call for the side routes (embeddings, count_tokens): the deadline and
 * client-gone abort, the client headers that travel, and the answer as text with its status.
 */
export async function sendWhole(
  deps: ProxyDeps,
  exchange: Exchange,
  routed: Routed<unknown>,
  dialect: Dialect,
  target: UpstreamTarget,
  body: string,
): Promise<{ status: number; text: string }> {
  const timeouts = timeoutsFor(routed.model, routed.provider);
  const call = new UpstreamCall(exchange, routed.provider.id, timeouts.totalMs, deps.observer);
  exchange.outcome.upstreamSent = true;
  exchange.outcome.endpointUrl ??= endpointOf(target.endpoints[0]?.url);
  try {
    const response = await deps.upstream.send(
      {
        providerName: routed.provider.id,
        endpoints: withClientHeaders(
          target.endpoints,
          dialect,
          routed.definition.anthropicHeaders === true,
          exchange.headers,
        ),
        body,
        model: routed.model.modelName,
      },
      { signal: call.signal, secrets: target.secrets, ...timeouts },
    );
    call.answered();
    const text = await response.text();
    call.answered(true);
    return { status: response.status, text };
  } catch (error) {
    throw call.failure(error);
  }
}
