import { describe, expect, it } from "vitest";
import { CircuitBreakers, type CircuitChange, isCircuitFault } from "./circuit-breaker.js";

function breakers(failures = 3, coolDownMs = 10_000) {
  let now = 1_000;
  const changes: string[] = [];
  const all = new CircuitBreakers(
    () => ({ failures, coolDownMs }),
    (change: CircuitChange) => changes.push(`${change.from}→${change.to}`),
    () => now,
  );
  return {
    all,
    changes,
    advance: (milliseconds: number) => {
      now += milliseconds;
    },
  };
}

describe("circuit breakers", () => {
  it("open after N consecutive faults, not before; a success in between starts the count again", () => {
    const { all, changes } = breakers(3);
    const circuit = all.circuit("https://up.example/v1", "m");
    all.failed(circuit);
    all.failed(circuit);
    all.succeeded(circuit);
    all.failed(circuit);
    all.failed(circuit);
    expect(circuit.state).toBe("closed");
    expect(all.allow(circuit)).toBe(true);
    all.failed(circuit);
    expect(circuit.state).toBe("open");
    expect(all.allow(circuit)).toBe(false);
    expect(changes).toEqual(["closed→open"]);
    expect(all.openings).toBe(1);
    expect(all.count("open")).toBe(1);
  });

  it("stay open for the cool-down, then let one probe through; its success closes the circuit", () => {
    const { all, changes, advance } = breakers(1, 10_000);
    const circuit = all.circuit("e", "m");
    all.failed(circuit);
    advance(4_000);
    expect(all.allow(circuit)).toBe(false);
    expect(all.remainingMs(circuit)).toBe(6_000);
    advance(6_000);
    expect(all.allow(circuit)).toBe(true);
    expect(circuit.state).toBe("half-open");
    // One probe at a time.
    expect(all.allow(circuit)).toBe(false);
    all.succeeded(circuit);
    expect(circuit.state).toBe("closed");
    expect(all.allow(circuit)).toBe(true);
    expect(changes).toEqual(["closed→open", "open→half-open", "half-open→closed"]);
  });

  it("re-open for a whole cool-down when the probe fails", () => {
    const { all, changes, advance } = breakers(2, 10_000);
    const circuit = all.circuit("e", "m");
    all.failed(circuit);
    all.failed(circuit);
    advance(10_000);
    expect(all.allow(circuit)).toBe(true);
    all.failed(circuit);
    expect(circuit.state).toBe("open");
    expect(all.remainingMs(circuit)).toBe(10_000);
    expect(all.allow(circuit)).toBe(false);
    expect(changes).toEqual(["closed→open", "open→half-open", "half-open→open"]);
    expect(all.openings).toBe(2);
  });

  it("let another probe through when one ended without a verdict, or never reported within a cool-down", () => {
    const { all, advance } = breakers(1, 10_000);
    const circuit = all.circuit("e", "m");
    all.failed(circuit);
    advance(10_000);
    expect(all.allow(circuit)).toBe(true);
    all.released(circuit);
    expect(all.allow(circuit)).toBe(true);
    expect(all.allow(circuit)).toBe(false);
    advance(10_000);
    expect(all.allow(circuit)).toBe(true);
  });

  it("keep one circuit per endpoint and model", () => {
    const { all } = breakers(1);
    const a = all.circuit("e1", "m1");
    expect(all.circuit("e1", "m1")).toBe(a);
    all.failed(a);
    expect(all.allow(all.circuit("e1", "m2"))).toBe(true);
    expect(all.allow(all.circuit("e2", "m1"))).toBe(true);
    expect(all.allow(a)).toBe(false);
  });

  it.each([
    [500, true],
    [502, true],
    [503, true],
    [529, true],
    [408, true],
    [undefined, true],
    [429, false],
    [400, false],
    [401, false],
    [404, false],
    [422, false],
    [200, false],
  ])("counts HTTP %s as an upstream fault: %s", (status, fault) => {
    expect(isCircuitFault(status)).toBe(fault);
  });
});
