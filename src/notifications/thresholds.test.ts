import { describe, expect, it } from "vitest";
import { passedThresholds } from "./thresholds.js";

describe("passedThresholds", () => {
  it.each([
    [49, 100, []],
    [50, 100, [50]],
    [85, 100, [50, 80]],
    [120, 100, [50, 80, 90, 100]],
    // 80% of 0.3 USD: 0.24 / 0.3 * 100 is 79.99999999999999 in floating point.
    [0.24, 0.3, [50, 80]],
    [5, 0, []],
  ])("%d of %d passes %j", (usage, limit, expected) => {
    expect(passedThresholds(usage, limit, [50, 80, 90, 100])).toEqual(expected);
  });
});
