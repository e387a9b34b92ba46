import { describe, expect, it } from "vitest";
import { timeOrderedUuid } from "./event-id.js";

describe("timeOrderedUuid", () => {
  it("is a version 7 UUID whose first 48 bits are the time in milliseconds", () => {
    const id = timeOrderedUuid(0x01_93_4a_bc_de_f0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id.slice(0, 13)).toBe("01934abc-def0");
  });

  it("sorts by time, so the unique index takes new events at its end", () => {
    const times = [1_700_000_000_000, 1_700_000_000_001, 1_700_000_060_000, 1_800_000_000_000];
    const ids = times.map((time) => timeOrderedUuid(time));
    expect([...ids].sort()).toEqual(ids);
  });

  it("differs for events of the same millisecond", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(1_700_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});
