import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { createLogger } from "../telemetry/logger.js";
import type { UsageEvent } from "./usage-event.js";
import { UsageRecorder } from "./usage-recorder.js";

const range = { from: new Date(0), to: new Date(Date.now() + 86_400_000) };

function event(index: number): UsageEvent {
  return {
    eventId: `evt-${index}`,
    time: new Date(Date.now() - 1000),
    requestId: `req-${index}`,
    traceId: null,
    actorId: "alice",
    tokenId: null,
    feature: "chat",
    route: "/v1/chat/completions",
    dialect: "openai",
    modelRef: "openai::v1::gpt",
    providerId: "openai",
    endpoint: null,
    credential: null,
    stream: false,
    status: 200,
    errorCode: null,
    inputTokens: 10,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    latencyMs: 1,
    ttftMs: null,
    upstreamMs: null,
    overheadMs: null,
  };
}

/** A real store whose writes can be held or made to fail: the database behind a slow or broken link. */
function gatedSink(store: Store) {
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  let failing = false;
  let losingAnswers = false;
  const calls: number[] = [];
  return {
    calls,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
    fail(value: boolean) {
      failing = value;
    },
    /** The write commits, then its answer is lost (the connection dropped at that moment). */
    loseAnswers(value: boolean) {
      losingAnswers = value;
    },
    async insertMany(events: readonly UsageEvent[]) {
      calls.push(events.length);
      if (gate) await gate;
      if (failing) throw new Error("database unavailable");
      await store.usageEvents.insertMany(events);
      if (losingAnswers) throw new Error("connection reset");
    },
  };
}

const stored = async (store: Store) =>
  (await store.usageEvents.aggregate({ ...range, groupBy: [] }))[0]!.requests;

describe("UsageRecorder", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup(options: { queueSize?: number; batchSize?: number; flushIntervalMs?: number } = {}) {
    const store = await openStore("sqlite::memory:");
    await store.migrate();
    const sink = gatedSink(store);
    const lines: string[] = [];
    const recorder = new UsageRecorder({
      sink,
      logger: createLogger({ level: "warn", destination: { write: (line: string) => lines.push(line) } }),
      queueSize: options.queueSize ?? 100,
      batchSize: options.batchSize ?? 10,
      flushIntervalMs: options.flushIntervalMs ?? 60_000,
      closeTimeoutMs: 2_000,
    });
    cleanup.push(() => store.close());
    cleanup.push(async () => {
      sink.release();
      sink.fail(false);
      await recorder.close();
    });
    return { store, sink, recorder, lines };
  }

  it("waits for a full batch (or the interval), then writes what is queued, one insert per batch", async () => {
    const { store, sink, recorder } = await setup({ batchSize: 10 });
    for (let index = 0; index < 9; index++) recorder.record(event(index));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.calls).toEqual([]);
    for (let index = 9; index < 25; index++) recorder.record(event(index));
    await expect.poll(() => stored(store), { timeout: 2_000 }).toBe(25);
    expect(sink.calls).toEqual([10, 10, 5]);
    expect(recorder.depth).toBe(0);
  });

  it("writes what waits at each interval", async () => {
    const { store, recorder } = await setup({ batchSize: 100, flushIntervalMs: 50 });
    recorder.record(event(1));
    await expect.poll(() => stored(store), { timeout: 2_000 }).toBe(1);
  });

  it("never makes record wait while a flush hangs, keeps one flush in flight, loses nothing within the bound", async () => {
    const { store, sink, recorder } = await setup({ queueSize: 100, batchSize: 10 });
    sink.hold();
    const started = performance.now();
    for (let index = 0; index < 60; index++) recorder.record(event(index));
    expect(performance.now() - started).toBeLessThan(50);
    // Only the first full batch went out; the rest wait behind it.
    expect(sink.calls).toEqual([10]);
    expect(recorder.depth).toBe(60);
    sink.release();
    await recorder.flush();
    await recorder.flush();
    expect(await stored(store)).toBe(60);
    expect(recorder.dropped).toBe(0);
  });

  it("drops and counts past the bound, warning once", async () => {
    const { sink, recorder, lines } = await setup({ queueSize: 20, batchSize: 10 });
    sink.hold();
    for (let index = 0; index < 50; index++) recorder.record(event(index));
    expect(recorder.depth).toBe(20);
    expect(recorder.dropped).toBe(30);
    const warnings = lines.filter((line) => line.includes("usage events dropped"));
    expect(warnings).toHaveLength(1);
  });

  it("keeps a failed batch and writes it when the store is back", async () => {
    const { store, sink, recorder, lines } = await setup({ queueSize: 100, batchSize: 10 });
    sink.fail(true);
    for (let index = 0; index < 15; index++) recorder.record(event(index));
    await recorder.flush();
    expect(recorder.depth).toBe(15);
    expect(lines.some((line) => line.includes("usage events not written"))).toBe(true);
    sink.fail(false);
    await recorder.flush();
    expect(await stored(store)).toBe(15);
    const ids = (await store.usageEvents.list({ ...range, limit: 100 })).map((row) => row.requestId);
    expect(new Set(ids).size).toBe(15);
  });

  it("retries a batch whose write committed but whose answer was lost without writing it twice", async () => {
    const { store, sink, recorder } = await setup({ queueSize: 100, batchSize: 10 });
    sink.loseAnswers(true);
    for (let index = 0; index < 15; index++) recorder.record(event(index));
    await recorder.flush();
    expect(recorder.depth).toBe(15);
    expect(await stored(store)).toBe(10);
    sink.loseAnswers(false);
    await recorder.flush();
    expect(recorder.depth).toBe(0);
    expect(await stored(store)).toBe(15);
  });

  it("writes everything left on close, even after failures, and drops what comes later", async () => {
    const { store, sink, recorder } = await setup({ batchSize: 10 });
    sink.fail(true);
    for (let index = 0; index < 7; index++) recorder.record(event(index));
    await recorder.flush();
    setTimeout(() => sink.fail(false), 300);
    await recorder.close();
    expect(await stored(store)).toBe(7);
    recorder.record(event(99));
    expect(recorder.dropped).toBe(1);
  });

  it("gives up on close after its timeout when the store hangs, saying how many were lost", async () => {
    const { sink, recorder, lines } = await setup({ batchSize: 10 });
    sink.hold();
    for (let index = 0; index < 3; index++) recorder.record(event(index));
    const started = performance.now();
    await recorder.close();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(lines.some((line) => line.includes("could not be written before shutdown"))).toBe(true);
  });
});
