import { describe, expect, it } from "vitest";
import { TurnBatch } from "./turn-batch.js";

function sink() {
  const chunks: string[] = [];
  let flushes = 0;
  return {
    chunks,
    flushes: () => flushes,
    write: (chunk: Buffer) => void chunks.push(chunk.toString("utf8")),
    flushSync: () => void flushes++,
  };
}

describe("TurnBatch", () => {
  it("hands the lines of one event-loop turn to the sink as one chunk, in order", async () => {
    const out = sink();
    const batch = new TurnBatch(out);
    batch.write("a\n");
    batch.write("b\n");
    batch.write("c\n");
    expect(out.chunks).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.chunks).toEqual(["a\nb\nc\n"]);
    batch.write("d\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.chunks).toEqual(["a\nb\nc\n", "d\n"]);
    batch.close();
  });

  it("forwards at once when a turn gathers more than its limit", () => {
    const out = sink();
    const batch = new TurnBatch(out, 10);
    batch.write("12345\n");
    batch.write("67890\n");
    expect(out.chunks).toEqual(["12345\n67890\n"]);
    batch.close();
  });

  it("writes what it holds and flushes the sink on flushSync", () => {
    const out = sink();
    const batch = new TurnBatch(out);
    batch.write("last words\n");
    batch.flushSync();
    expect(out.chunks).toEqual(["last words\n"]);
    expect(out.flushes()).toBe(1);
    batch.close();
  });
});
