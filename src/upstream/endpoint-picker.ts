/**
 * Endpoint state (parsed URL, requests in flight, cool-down) and the order in which a request
 * tries its endpoints: least in flight first, round-robin among equals, endpoints that just
 * failed skipped for a while unless all of them are cooling down.
 */
export interface EndpointState {
  /** scheme://host:port, the key of the connection pool. */
  readonly origin: string;
  /** Path and query sent on the request line. */
  readonly path: string;
  /** origin + path without the query, safe for logs (keys may sit in the query). */
  readonly label: string;
  inFlight: number;
  /** Date.now() until which the endpoint is skipped. */
  coolUntil: number;
}

/** Endpoints are few and fixed by config; the cap only guards against URLs built per request. */
const MAX_CACHED_ENDPOINTS = 4096;

export class EndpointPicker {
  private readonly states = new Map<string, EndpointState>();
  private cursor = 0;

  constructor(private readonly cooldownMs: number) {}

  /** The state of one endpoint URL, parsed once. Throws TypeError on an invalid URL. */
  state(url: string): EndpointState {
    let state = this.states.get(url);
    if (state === undefined) {
      const parsed = new URL(url);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        throw new TypeError(`upstream URL must be http or https, got ${parsed.protocol}`);
      }
      const label = `${parsed.origin}${parsed.pathname}`;
      state = {
        origin: parsed.origin,
        path: `${parsed.pathname}${parsed.search}`,
        label,
        inFlight: 0,
        coolUntil: 0,
      };
      if (this.states.size >= MAX_CACHED_ENDPOINTS) {
        const oldest = this.states.keys().next().value;
        if (oldest !== undefined) this.states.delete(oldest);
      }
      this.states.set(url, state);
    }
    return state;
  }

  /**
   * Indexes into `states` in the order to try them. Healthy endpoints only, least loaded first
   * (ties rotate between requests); when all are cooling down, all of them, soonest-recovered first.
   */
  order(states: readonly EndpointState[], now = Date.now()): number[] {
    const count = states.length;
    if (count === 1) return [0];
    const start = this.cursor++ % count;
    if (this.cursor > 1_000_000_000) this.cursor = 0;
    const healthy: number[] = [];
    for (let offset = 0; offset < count; offset++) {
      const index = (start + offset) % count;
      if (states[index]!.coolUntil <= now) healthy.push(index);
    }
    if (healthy.length === 0) {
      const all = Array.from({ length: count }, (_, index) => index);
      return all.sort((a, b) => states[a]!.coolUntil - states[b]!.coolUntil);
    }
    // Stable sort keeps the rotation among endpoints with equal load.
    return healthy.sort((a, b) => states[a]!.inFlight - states[b]!.inFlight);
  }

  failed(state: EndpointState, now = Date.now()): void {
    state.coolUntil = now + this.cooldownMs;
  }

  succeeded(state: EndpointState): void {
    if (state.coolUntil !== 0) state.coolUntil = 0;
  }
}
