import type { IncomingHttpHeaders } from "node:http";
import type { UpstreamCallTrace } from "../upstream/call-trace.js";
import { formatTraceparent, parseTraceparent } from "./tracing-context.js";
import { newSpanId, newTraceId } from "./tracing-ids.js";

/** What the end of a request tells its trace; a RequestOutcome is one. */
export interface TracedEnd {
  status: number;
  errorCode: string | undefined;
  requestId?: string;
  actorId?: string | undefined;
  modelRef?: string | undefined;
  providerId?: string | undefined;
  stream?: boolean;
  usage?: { inputTokens: number; outputTokens: number } | undefined;
  /** Epoch milliseconds at arrival, and when a whole upstream answer had been read (ms after arrival). */
  startedAt?: number;
  upstreamDoneMs?: number | undefined;
}

/** What the upstream call's span is named after. */
export interface TracedCall {
  route: string;
  modelRef: string | undefined;
  providerId: string | undefined;
  stream: boolean;
}

/** A step of a request (authenticate, admit): ended once, with the error that stopped it if one did. */
export interface TraceStep {
  end(error?: unknown): void;
}

/**
 * One request's trace: its trace id (continued from `traceparent` or new) and the gateway's server span id, for
 * `x-trace`/`x-span` and the logs. This base class records nothing; `tracing-export.ts` extends it with spans.
 * Without an exporter, or when the sampler says no, a request costs two ids and this object.
 */
export class RequestTrace {
  constructor(
    readonly traceId: string,
    readonly spanId: string,
    /** The sampled flag passed on upstream: the caller's when continued, else the sampler's. */
    readonly sampled: boolean,
  ) {}

  /** A child span for a step, or undefined when nothing is recorded. */
  step(_name: string): TraceStep | undefined {
    return undefined;
  }

  /** The upstream call's client span: upstreams see it as their parent in `traceparent`. */
  upstream(_call: TracedCall): UpstreamCallTrace {
    return { traceparent: formatTraceparent(this.traceId, newSpanId(), this.sampled) };
  }

  /** The route template, once the framework has routed the request (`GET /v1/models/:id`). */
  routed(_route: string): void {}

  /** The catalogue code of an error a framework route answered with. */
  failed(_code: string): void {}

  /** The request's one end. */
  end(_request: TracedEnd): void {}
}

export interface Tracing {
  /** True when spans go to an exporter. */
  readonly exporting: boolean;
  /** Starts the server span of a request that just arrived. */
  start(headers: IncomingHttpHeaders, method: string, path: string): RequestTrace;
  /** Sends the spans still buffered (graceful shutdown). */
  shutdown(): Promise<void>;
}

/** Ids for the headers and logs, no spans: the default, and what an unset exporter means. */
export const idsOnlyTracing: Tracing = {
  exporting: false,
  start(headers) {
    const parent = headers.traceparent === undefined ? undefined : parseTraceparent(headers);
    return parent
      ? new RequestTrace(parent.traceId, newSpanId(), parent.sampled)
      : new RequestTrace(newTraceId(), newSpanId(), false);
  },
  shutdown: async () => {},
};

/**
 * The trace of the request whose route handler is running synchronously right now. Handlers reach admission
 * before their first `await`, so a step wrapped with `tracedStep` (admission) finds its request here without
 * an async context per request; outside that stretch it is undefined and the step is simply not traced.
 */
export const handling: { trace: RequestTrace | undefined } = { trace: undefined };

/** `step` as a child span of the handling request, ended when it returns, throws or its promise settles. */
export function tracedStep<A extends unknown[], R>(name: string, step: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    const span = handling.trace?.step(name);
    if (!span) return step(...args);
    let result: R;
    try {
      result = step(...args);
    } catch (error) {
      span.end(error);
      throw error;
    }
    if (result instanceof Promise)
      result.then(
        () => span.end(),
        (error: unknown) => span.end(error),
      );
    else span.end();
    return result;
  };
}
