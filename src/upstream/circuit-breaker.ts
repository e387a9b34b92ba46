/**
 * Circuit breakers per upstream endpoint and model: after `failures` consecutive upstream faults a circuit opens
 * and the endpoint is not tried for that model for `coolDownMs`; then it half-opens and lets one probe request
 * through; the probe's success closes it, its failure opens it for another cool-down.
 *
 * Consecutive failures rather than a ratio over a window: nothing to tune but a count, no per-request bucket
 * bookkeeping, and any success in between (the upstream is up) starts the count again.
 *
 * What counts (`isCircuitFault`): 5xx (529 and 503 included), 408, connection failures and timeouts. Not: 4xx
 * caused by the request (a bad body says nothing of the upstream's health), 401/403 (a key problem that failing
 * over does not fix), and 429: a rate-limited upstream is up and says when to come back; its Retry-After reaches
 * the client, and the endpoint picker already skips it for a while. Counting 429s would turn a provider's
 * Retry-After into the gateway's 503. A 2xx closes on its headers: a stream that breaks midway is not counted.
 *
 * State is per replica, in memory: each replica learns an upstream's health from its own traffic, which is what
 * stops it hammering a dead upstream; sharing it across replicas is not needed. Pure state machine with an
 * injectable clock; the hot path costs one Map lookup per endpoint.
 */

export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitSettings {
  /** Consecutive upstream faults that open the circuit. */
  failures: number;
  /** How long an open circuit refuses requests before it lets a probe through. */
  coolDownMs: number;
}

export const CIRCUIT_DEFAULTS: CircuitSettings = { failures: 5, coolDownMs: 30_000 };

export interface CircuitChange {
  /** The endpoint (origin + path, no query) and the model whose circuit changed. */
  endpoint: string;
  model: string;
  from: CircuitState;
  to: CircuitState;
  /** Consecutive faults when it opened. */
  failures: number;
}

export class Circuit {
  state: CircuitState = "closed";
  failures = 0;
  /** Clock time until which an open circuit refuses. */
  openUntil = 0;
  /** Clock time the half-open probe was let through; 0 when none is out. */
  probeSince = 0;

  constructor(
    readonly endpoint: string,
    readonly model: string,
  ) {}
}

/** True for answers and failures that say the upstream is unwell (see the module comment). */
export function isCircuitFault(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status >= 500 || status === 408;
}

/** Endpoints × models are few and fixed by config; the cap only guards against ones built per request. */
const MAX_CIRCUITS = 4096;

export class CircuitBreakers {
  private readonly circuits = new Map<string, Map<string, Circuit>>();
  private size = 0;
  /** Circuits opened since start (the counter metric). */
  openings = 0;

  constructor(
    private readonly settings: () => CircuitSettings,
    private readonly onChange: (change: CircuitChange) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** The circuit of an endpoint for a model, made on first use. */
  circuit(endpoint: string, model: string): Circuit {
    let byModel = this.circuits.get(endpoint);
    if (byModel === undefined) {
      byModel = new Map();
      this.circuits.set(endpoint, byModel);
    }
    let circuit = byModel.get(model);
    if (circuit === undefined) {
      if (this.size >= MAX_CIRCUITS) this.forgetClosed();
      circuit = new Circuit(endpoint, model);
      byModel.set(model, circuit);
      this.size++;
    }
    return circuit;
  }

  /** May a request go to this circuit now? Half-opens an open circuit whose cool-down is over (one probe). */
  allow(circuit: Circuit): boolean {
    if (circuit.state === "closed") return true;
    const now = this.now();
    if (circuit.state === "open") {
      if (now < circuit.openUntil) return false;
      this.change(circuit, "half-open");
      circuit.probeSince = now;
      return true;
    }
    // Half-open: one probe at a time; a probe that never reported (its client left) is replaced after a cool-down.
    if (circuit.probeSince !== 0 && now - circuit.probeSince < this.settings().coolDownMs) return false;
    circuit.probeSince = now;
    return true;
  }

  /** True when `allow` would refuse now (no side effect: a half-open circuit's probe is not taken). */
  isOpen(circuit: Circuit): boolean {
    if (circuit.state === "closed") return false;
    const now = this.now();
    if (circuit.state === "open") return now < circuit.openUntil;
    return circuit.probeSince !== 0 && now - circuit.probeSince < this.settings().coolDownMs;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when it would now). */
  remainingMs(circuit: Circuit): number {
    if (circuit.state === "closed") return 0;
    const now = this.now();
    if (circuit.state === "open") return Math.max(0, circuit.openUntil - now);
    return Math.max(0, circuit.probeSince + this.settings().coolDownMs - now);
  }

  succeeded(circuit: Circuit): void {
    circuit.failures = 0;
    circuit.probeSince = 0;
    if (circuit.state !== "closed") this.change(circuit, "closed");
  }

  failed(circuit: Circuit): void {
    circuit.failures++;
    const { failures, coolDownMs } = this.settings();
    if (circuit.state === "half-open" || (circuit.state === "closed" && circuit.failures >= failures)) {
      circuit.openUntil = this.now() + coolDownMs;
      circuit.probeSince = 0;
      this.openings++;
      this.change(circuit, "open");
    }
  }

  /** Neither a success nor a fault (a 429, the client gone): a probe that ended so frees the way for the next. */
  released(circuit: Circuit): void {
    circuit.probeSince = 0;
  }

  /** Circuits not closed, by state (the gauge metric). */
  count(state: Exclude<CircuitState, "closed">): number {
    let count = 0;
    for (const byModel of this.circuits.values())
      for (const circuit of byModel.values()) if (circuit.state === state) count++;
    return count;
  }

  private change(circuit: Circuit, to: CircuitState): void {
    const from = circuit.state;
    circuit.state = to;
    const { endpoint, model, failures } = circuit;
    this.onChange({ endpoint, model, from, to, failures });
  }

  private forgetClosed(): void {
    for (const [endpoint, byModel] of this.circuits) {
      for (const [model, circuit] of byModel) {
        if (circuit.state !== "closed") continue;
        byModel.delete(model);
        this.size--;
      }
      if (byModel.size === 0) this.circuits.delete(endpoint);
    }
  }
}
