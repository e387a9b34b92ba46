/**
 * What the upstream client tells the trace of the call it serves: the W3C `traceparent` of the call's client
 * span, sent with every attempt, and (when the trace is recorded) each attempt's endpoint and result.
 */
export interface UpstreamCallTrace {
  readonly traceparent: string;
  /** One try: the endpoint's origin (never its query, where keys may sit), and its HTTP status or failure kind. */
  attempted?(origin: string, status: number | undefined, failure: string | undefined): void;
}

/**
 * The trace of each call rides on its abort signal: every handler passes the call's signal to `send`, so the
 * signal already names the call, and the trace needs no option threaded through each handler. A property
 * rather than a WeakMap: an ephemeron per request cost several times more.
 */
const key = Symbol("tollgate.callTrace");

export function traceCall(signal: AbortSignal, trace: UpstreamCallTrace): void {
  (signal as AbortSignal & { [key]?: UpstreamCallTrace })[key] = trace;
}

export function callTraceOf(signal: AbortSignal | undefined): UpstreamCallTrace | undefined {
  return (signal as (AbortSignal & { [key]?: UpstreamCallTrace }) | undefined)?.[key];
}
