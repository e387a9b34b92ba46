import { describe, expect, it } from "vitest";
import { machineBusySeconds, machineStealSeconds } from "../../bench/processes.js";

describe("bench machine readings", () => {
  it("reads steal time from /proc/stat: a count that never goes back and is part of the busy time", () => {
    const steal = machineStealSeconds();
    const busy = machineBusySeconds();
    expect(Number.isFinite(steal)).toBe(true);
    expect(steal).toBeGreaterThanOrEqual(0);
    expect(steal).toBeLessThanOrEqual(busy);
    expect(machineStealSeconds()).toBeGreaterThanOrEqual(steal);
  });
});
