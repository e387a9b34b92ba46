import type { IncomingMessage } from "node:http";
import type { RequestTrace, Tracing } from "./tracing.js";

/** The traces of the framework's requests (health, models, limits, admin), by their node:http request. */
const traces = new WeakMap<IncomingMessage, RequestTrace>();

/** The request's trace, started on first use: the framework's logger asks for it before any hook runs. */
export function traceRequest(tracing: Tracing, request: IncomingMessage): RequestTrace {
  let trace = traces.get(request);
  if (trace === undefined) {
    const url = request.url ?? "/";
    const query = url.indexOf("?");
    trace = tracing.start(request.headers, request.method ?? "GET", query === -1 ? url : url.slice(0, query));
    traces.set(request, trace);
  }
  return trace;
}

export function requestTrace(request: IncomingMessage): RequestTrace | undefined {
  return traces.get(request);
}
