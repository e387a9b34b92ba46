import { describe, expect, it } from "vitest";
import { DeferredWrites } from "./deferred-writes.js";

describe("DeferredWrites", () => {
  it("holds writes until the next flush, then sends them in order in the caller's tick", async () => {
    const sent: number[] = [];
    const writes = new DeferredWrites(1_000);
    const done = [1, 2, 3].map((n) => writes.add(async () => void sent.push(n)));
    expect(sent).toEqual([]);
    writes.flush();
    expect(sent).toEqual([1, 2, 3]);
    await Promise.all(done);
  });

  it("sends on its own after the delay when nothing flushes", async () => {
    const sent: string[] = [];
    const writes = new DeferredWrites(5);
    const started = performance.now();
    await writes.add(async () => void sent.push("late"));
    expect(sent).toEqual(["late"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(4);
  });

  it("drain sends what is queued and waits for the answers", async () => {
    let answered = false;
    const writes = new DeferredWrites(60_000);
    void writes.add(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      answered = true;
    });
    await writes.drain();
    expect(answered).toBe(true);
  });
});
