import { describe, expect, it } from "vitest";
import { inParallel } from "./in-parallel.js";

const tick = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("inParallel", () => {
  it("runs at most `limit` at once and keeps the items' order", async () => {
    let running = 0;
    let most = 0;
    const results = await inParallel([30, 5, 20, 1, 10, 2, 15], 3, async (delay, index) => {
      running++;
      most = Math.max(most, running);
      await tick(delay);
      running--;
      return `${index}:${delay}`;
    });
    expect(most).toBe(3);
    expect(results).toEqual(["0:30", "1:5", "2:20", "3:1", "4:10", "5:2", "6:15"]);
  });

  it("throws the first failure and starts nothing after it", async () => {
    const started: number[] = [];
    const run = inParallel([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick(item === 1 ? 1 : 20);
      if (item === 1) throw new Error("upstream said no");
      return item;
    });
    await expect(run).rejects.toThrow("upstream said no");
    await tick(50);
    expect(started).toEqual([0, 1]);
  });

  it("answers an empty list with an empty list", async () => {
    expect(await inParallel([], 4, async () => 1)).toEqual([]);
  });
});
