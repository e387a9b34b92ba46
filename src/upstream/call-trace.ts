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
 * The trace of each call, by its abort signal: every handler passes the call's signal to `send`, so the signal
 * already names the call, and the trace rides along without each handler threading one more option through.
 */
const traces = new WeakMap<AbortSignal, UpstreamCallTrace>();

export function traceCall(signal: AbortSignal, trace: UpstreamCallTrace): void {
  traces.set(signal, trace);
}

export function callTraceOf(signal: AbortSignal | undefined): UpstreamCallTrace | undefined {
  return signal === undefined ? undefined : traces.get(signal);
}
