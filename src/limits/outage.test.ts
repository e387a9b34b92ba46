import { describe, expect, it, vi } from "vitest";
import { OutageReporter } from "./outage.js";

function reporter() {
  let time = 0;
  const logger = { warn: vi.fn(), info: vi.fn() };
  const metrics = { degraded: vi.fn(), recovered: vi.fn() };
  const outage = new OutageReporter("open", () => time, logger, metrics);
  return { outage, logger, metrics, advance: (milliseconds: number) => (time += milliseconds) };
}

describe("OutageReporter", () => {
  it("counts every failure but logs one warning a minute, with the number left unlogged", () => {
    const { outage, logger, metrics, advance } = reporter();
    for (let index = 0; index < 10; index++) outage.failure("admit", new Error("connection refused"));
    expect(metrics.degraded).toHaveBeenCalledTimes(10);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    advance(60_000);
    outage.failure("settle", new Error("connection refused"));
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[1]![0]).toMatchObject({
      operation: "settle",
      suppressed: 9,
      failMode: "open",
    });
  });

  it("reports recovery once, and a flapping Redis stays within a warning and a recovery line a minute", () => {
    const { outage, logger, metrics, advance } = reporter();
    outage.success();
    expect(metrics.recovered).not.toHaveBeenCalled();
    outage.failure("admit", new Error("down"));
    outage.success();
    outage.success();
    expect(metrics.recovered).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledTimes(1);
    for (let flap = 0; flap < 5; flap++) {
      advance(1_000);
      outage.failure("admit", new Error("down"));
      outage.success();
    }
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(metrics.recovered).toHaveBeenCalledTimes(6);
    expect(outage.degraded).toBe(false);
  });
});
