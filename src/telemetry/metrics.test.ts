import { describe, expect, it } from "vitest";
import type { Catalogue } from "../config/index.js";
import { newOutcome, type RequestOutcome } from "../proxy/outcome.js";
import { GatewayMetrics } from "./metrics.js";

const catalogue = {
  byRef: (ref: string) => (ref === "openai::v1::text" ? {} : undefined),
  provider: (id: string) => (id === "openai" ? {} : undefined),
} as unknown as Catalogue;

function outcome(fields: Partial<RequestOutcome>): RequestOutcome {
  return Object.assign(newOutcome("r", "/v1/chat/completions", "openai", 0), {
    modelRef: "openai::v1::text",
    providerId: "openai",
    feature: "chat",
    actorId: "team-a",
    status: 200,
    ...fields,
  });
}

const lines = (text: string, name: string) => text.split("\n").filter((line) => line.startsWith(name));

describe("GatewayMetrics", () => {
  it("times a whole answer's overhead as before the call plus after reading the answer", async () => {
    const metrics = new GatewayMetrics({ catalogue: () => catalogue, processMetrics: false });
    metrics.observe(
      outcome({
        durationMs: 500,
        upstreamSentMs: 0.5,
        upstreamFirstByteMs: 300,
        upstreamDoneMs: 498,
        clientFirstByteMs: 499.25,
      }),
    );
    const text = await metrics.text();
    expect(lines(text, "tollgate_gateway_overhead_seconds_sum")[0]).toMatch(/ 0\.00175$/);
    expect(lines(text, "tollgate_upstream_first_byte_seconds_sum")[0]).toMatch(/ 0\.2995$/);
    expect(lines(text, "tollgate_upstream_duration_seconds_sum")[0]).toMatch(/ 0\.4975$/);
    expect(lines(text, "tollgate_time_to_first_token_seconds")).toEqual([]);
    expect(text).toContain(
      'tollgate_gateway_overhead_seconds_bucket{route="/v1/chat/completions",model="openai::v1::text",provider="openai",stream="false",le="0.0025"} 1',
    );
  });

  it("writes one sample per label set when series share a counter", async () => {
    const metrics = new GatewayMetrics({ catalogue: () => catalogue, processMetrics: false });
    const usage = { inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 };
    metrics.observe(outcome({ stream: true, usage }));
    metrics.observe(outcome({ stream: false, usage }));
    metrics.observe(outcome({ route: "/v1/messages", usage }));
    const text = await metrics.text();
    expect(lines(text, "tollgate_tokens_total")).toEqual([
      'tollgate_tokens_total{model="openai::v1::text",provider="openai",feature="chat",kind="input"} 30',
      'tollgate_tokens_total{model="openai::v1::text",provider="openai",feature="chat",kind="output"} 6',
    ]);
    expect(lines(text, "tollgate_requests_total{")).toHaveLength(2);
  });

  it("labels actors only when asked, and models outside the catalogue as none", async () => {
    const plain = new GatewayMetrics({ catalogue: () => catalogue, processMetrics: false });
    const labelled = new GatewayMetrics({
      catalogue: () => catalogue,
      actorLabels: true,
      processMetrics: false,
    });
    for (const metrics of [plain, labelled]) {
      metrics.observe(outcome({ modelRef: "openai::v1::gone", status: 404 }));
      metrics.refused("concurrency", "chat", "team-a");
    }
    const [plainText, labelledText] = [await plain.text(), await labelled.text()];
    expect(plainText).not.toContain("team-a");
    expect(plainText).not.toContain("gone");
    expect(lines(plainText, "tollgate_limit_refusals_total{")).toEqual([
      'tollgate_limit_refusals_total{limit="concurrent",feature="chat"} 1',
    ]);
    expect(lines(labelledText, "tollgate_requests_total{")).toEqual([
      'tollgate_requests_total{route="/v1/chat/completions",model="none",provider="openai",feature="chat",status="404",actor="team-a"} 1',
    ]);
  });

  it("reads gauges and counters kept elsewhere when scraped", async () => {
    const metrics = new GatewayMetrics({ catalogue: () => catalogue, processMetrics: false });
    let depth = 3;
    metrics.gauge("usage_queue_depth", "Usage events waiting.", "max", () => depth);
    metrics.counter("tollgate_usage_events_dropped_total", "Usage events dropped.", () => 7);
    metrics.dependencies(
      [
        { name: "store", check: async () => {} },
        { name: "redis", check: () => new Promise(() => {}) },
      ],
      20,
    );
    depth = 5;
    const text = await metrics.text();
    expect(text).toContain("tollgate_usage_queue_depth 5");
    expect(text).toContain("tollgate_usage_events_dropped_total 7");
    expect(text).toContain('tollgate_dependency_up{dependency="store"} 1');
    expect(text).toContain('tollgate_dependency_up{dependency="redis"} 0');
    // How the primary of serve --workers N combines the workers' values: the queue's size is per process.
    const json = await metrics.json();
    expect(json.find((metric) => metric.name === "tollgate_usage_queue_depth")?.aggregator).toBe("max");
  });
});
