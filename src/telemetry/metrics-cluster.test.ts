import { describe, expect, test } from "vitest";
import { type MetricJson, sendToPrimary } from "./metrics-cluster.js";
import { addTotals } from "./metrics-cluster-totals.js";
import { processMetricsJson } from "./metrics-process.js";

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

const metric = (name: string, type: string, values: Sample[], aggregator = "sum") =>
  ({ name, help: name, type, aggregator, values }) as unknown as MetricJson;

describe("serve --workers N: the workers' metrics", () => {
  test("a worker whose channel closed sends nothing; one closing meanwhile does not throw", () => {
    const sent: unknown[] = [];
    const closed = { connected: false, send: (message: unknown) => sent.push(message) > 0 };
    sendToPrimary({ type: "tollgate:metrics-collected" }, closed);
    expect(sent).toEqual([]);

    // What node:child_process does when the channel is gone by the time of the write: the error goes to the
    // callback when there is one, else it is emitted on process (unhandled there: the worker crashes).
    const closing = {
      connected: true,
      send: (message: unknown, _handle?: unknown, _options?: unknown, callback?: (error: Error) => void) => {
        sent.push(message);
        if (!callback) throw new Error("ERR_IPC_CHANNEL_CLOSED emitted on process");
        callback(new Error("Channel closed"));
        return false;
      },
    };
    expect(() => sendToPrimary({ type: "tollgate:listening" }, closing)).not.toThrow();
    expect(sent).toEqual([{ type: "tollgate:listening" }]);
  });

  test("an exited worker's counters and histograms are added to the totals kept; its gauges are not", () => {
    const first = [
      metric("requests_total", "counter", [
        { labels: { status: "200" }, value: 3 },
        { labels: { status: "429" }, value: 1 },
      ]),
      metric("duration_seconds", "histogram", [
        { labels: { le: 1 }, value: 2, metricName: "duration_seconds_bucket" },
        { labels: {}, value: 2, metricName: "duration_seconds_count" },
      ]),
      metric("queue_depth", "gauge", [{ labels: {}, value: 7 }], "max"),
    ];
    const second = [
      metric("requests_total", "counter", [{ labels: { status: "200" }, value: 5 }]),
      metric("duration_seconds", "histogram", [
        { labels: { le: 1 }, value: 1, metricName: "duration_seconds_bucket" },
        { labels: {}, value: 4, metricName: "duration_seconds_count" },
      ]),
    ];
    const totals = addTotals(addTotals([], first), second);
    expect(totals.map((one) => [one.name, one.values])).toEqual([
      [
        "requests_total",
        [
          { labels: { status: "200" }, value: 8 },
          { labels: { status: "429" }, value: 1 },
        ],
      ],
      [
        "duration_seconds",
        [
          { labels: { le: 1 }, value: 3, metricName: "duration_seconds_bucket" },
          { labels: {}, value: 6, metricName: "duration_seconds_count" },
        ],
      ],
    ]);
  });

  test("process limits and event loop lag are the worst worker's, not summed or averaged", async () => {
    const aggregators = new Map((await processMetricsJson()).map((one) => [one.name, one.aggregator]));
    expect(aggregators.get("tollgate_process_max_fds")).toBe("max");
    expect(aggregators.get("tollgate_process_open_fds")).toBe("max");
    expect(aggregators.get("tollgate_nodejs_eventloop_lag_p99_seconds")).toBe("max");
    expect(aggregators.get("tollgate_nodejs_eventloop_lag_min_seconds")).toBe("min");
    expect(aggregators.get("tollgate_process_cpu_seconds_total")).toBe("sum");
    expect(aggregators.get("tollgate_process_resident_memory_bytes")).toBe("sum");
  });
});
