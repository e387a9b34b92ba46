import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, sendJson, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

/** GET /metrics (issue 14): what a request, an upstream failure and a refusal leave in the Prometheus text. */

const tokens = { open: "tg_e2e_metrics_open_0123456789abcdef", tight: "tg_e2e_metrics_tight_0123456789ab" };
const metricsToken = "metrics-scrape-token-0123456789";
const env = (name: string) => `$\{${name}}`;

function config(mock: string, storage: string, metrics: object): string {
  const model = (id: string) => ({
    modelRef: `openai::v1::${id}`,
    modelName: id,
    capabilities: ["chat"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
    pricing: { input: 3, output: 15 },
  });
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    telemetry: { metrics },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: "sk-test" },
        },
      ],
      modelOverrides: [model("text"), model("broken"), model("held")],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::text", codeCompletion: "" },
    },
    actors: [
      { id: "open", tokens: [env("OPEN")] },
      { id: "tight", tokens: [env("TIGHT")], limits: { chat: { requests: 1, interval: "1h" } } },
    ],
  });
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of the exposition text (comments skipped; label values here hold no quotes or commas). */
function samples(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`unexpected line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1]!, pair[2]!]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The one sample of `name` whose labels include `labels`; undefined when none matches. */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe("GET /metrics", () => {
  let dir: string;
  let mock: MockUpstream;
  const gateways: Gateway[] = [];
  let gateway: Gateway;
  let releaseHeld: (() => void) | undefined;

  async function start(metrics: object): Promise<Gateway> {
    const file = join(dir, `tollgate-${gateways.length}.jsonc`);
    await writeFile(file, config(mock.url, join(dir, `tollgate-${gateways.length}.db`), metrics));
    const started = await startTestGateway({
      file,
      dir,
      configEnv: { OPEN: tokens.open, TIGHT: tokens.tight },
    });
    gateways.push(started);
    return started;
  }

  const chat = (model: string, token = tokens.open) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model, max_tokens: 20, messages: [{ role: "user", content: "hi" }] }),
    });

  const scrape = async (target = gateway, headers: Record<string, string> = {}) => {
    const response = await fetch(`${target.url}/metrics`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    return response.text();
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-metrics-"));
    mock = await startMockUpstream();
    mock.script("broken", (_request, response) => sendJson(response, 500, { error: { message: "boom" } }));
    mock.script("held", async (_request, response) => {
      await new Promise<void>((resolve) => {
        releaseHeld = resolve;
      });
      sendJson(response, 200, {
        id: "chatcmpl-held",
        object: "chat.completion",
        model: "held",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      });
    });
    gateway = await start({});
  });

  afterAll(async () => {
    releaseHeld?.();
    for (const started of gateways) await started.close();
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("counts a successful request, its tokens and cost, and times its steps", async () => {
    const response = await chat("openai::v1::text");
    expect(response.status).toBe(200);
    const text = await scrape();
    const labels = { route: "/v1/chat/completions", model: "openai::v1::text", provider: "openai" };
    expect(value(text, "tollgate_requests_total", { ...labels, feature: "chat", status: "200" })).toBe(1);
    expect(value(text, "tollgate_tokens_total", { model: labels.model, kind: "input" })).toBeGreaterThan(0);
    expect(value(text, "tollgate_tokens_total", { model: labels.model, kind: "output" })).toBeGreaterThan(0);
    expect(value(text, "tollgate_cost_usd_total", { model: labels.model })).toBeGreaterThan(0);
    for (const histogram of [
      "tollgate_request_duration_seconds",
      "tollgate_upstream_first_byte_seconds",
      "tollgate_upstream_duration_seconds",
      "tollgate_gateway_overhead_seconds",
    ]) {
      expect(value(text, `${histogram}_count`, { ...labels, stream: "false" }), histogram).toBe(1);
    }
    expect(value(text, "tollgate_gateway_overhead_seconds_sum", labels)).toBeLessThan(
      value(text, "tollgate_request_duration_seconds_sum", labels)!,
    );
    expect(value(text, "tollgate_time_to_first_token_seconds_count", labels)).toBeUndefined();
    expect(value(text, "tollgate_dependency_up", { dependency: "store" })).toBe(1);
    expect(value(text, "tollgate_usage_queue_depth")).toBeGreaterThanOrEqual(0);
    expect(value(text, "tollgate_usage_events_dropped_total")).toBe(0);
    expect(value(text, "tollgate_process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(value(text, "tollgate_nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
  });

  it("times a stream's first token", async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.open}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "openai::v1::text",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
    const labels = { route: "/v1/chat/completions", model: "openai::v1::text", stream: "true" };
    let text = "";
    for (
      let tries = 0;
      value(text, "tollgate_time_to_first_token_seconds_count", labels) === undefined;
      tries++
    ) {
      if (tries > 100) throw new Error("the stream's outcome never reached the metrics");
      await sleep(10);
      text = await scrape();
    }
    expect(value(text, "tollgate_time_to_first_token_seconds_count", labels)).toBe(1);
    expect(value(text, "tollgate_gateway_overhead_seconds_count", labels)).toBe(1);
    expect(value(text, "tollgate_requests_total", { model: labels.model, status: "200" })).toBe(2);
  });

  it("counts an upstream failure by its code", async () => {
    expect((await chat("openai::v1::broken")).status).toBe(502);
    const text = await scrape();
    const model = "openai::v1::broken";
    expect(value(text, "tollgate_requests_total", { model, status: "502" })).toBe(1);
    expect(
      value(text, "tollgate_upstream_errors_total", { provider: "openai", model, code: "upstream_error" }),
    ).toBe(1);
  });

  it("counts a refusal by the limit that refused it", async () => {
    expect((await chat("openai::v1::text", tokens.tight)).status).toBe(200);
    expect((await chat("openai::v1::text", tokens.tight)).status).toBe(429);
    const text = await scrape();
    expect(value(text, "tollgate_limit_refusals_total", { limit: "requests", feature: "chat" })).toBe(1);
    expect(value(text, "tollgate_requests_total", { model: "openai::v1::text", status: "429" })).toBe(1);
    // Without actorLabels no series carries an actor.
    expect(text).not.toContain('actor="');
  });

  it("shows an upstream call in flight while it is held, and none after", async () => {
    const pending = chat("openai::v1::held");
    const inFlight = { provider: "openai", feature: "chat" };
    for (let tries = 0; releaseHeld === undefined; tries++) {
      if (tries > 300) throw new Error("the held request never reached the mock");
      await sleep(10);
    }
    expect(value(await scrape(), "tollgate_concurrent_upstream_requests", inFlight)).toBe(1);
    releaseHeld();
    expect((await pending).status).toBe(200);
    // The outcome reaches the sink when the response closes, just after the client has it.
    for (let tries = 0; ; tries++) {
      const now = value(await scrape(), "tollgate_concurrent_upstream_requests", inFlight);
      if (now === 0) break;
      if (tries > 100) throw new Error(`still ${now} in flight`);
      await sleep(10);
    }
  });

  it("keeps an unknown model out of the labels", async () => {
    expect((await chat("no-such-model-123")).status).toBe(404);
    const text = await scrape();
    expect(text).not.toContain("no-such-model-123");
    expect(value(text, "tollgate_requests_total", { model: "none", provider: "none", status: "404" })).toBe(
      1,
    );
    const models = new Set(
      samples(text)
        .filter((sample) => sample.name === "tollgate_requests_total")
        .map((sample) => sample.labels.model),
    );
    expect([...models].sort()).toEqual([
      "none",
      "openai::v1::broken",
      "openai::v1::held",
      "openai::v1::text",
    ]);
  });

  it("needs the configured token, as a bearer token", async () => {
    const guarded = await start({ token: metricsToken });
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain(metricsToken);
    const text = await scrape(guarded, { authorization: `Bearer ${metricsToken}` });
    expect(text).toContain("# TYPE tollgate_requests_total counter");
    // The other gateway's counts live in its own registry.
    expect(value(text, "tollgate_requests_total", { status: "200" })).toBeUndefined();
  });

  it("is not served, and collects nothing, when disabled", async () => {
    const off = await start({ enabled: false });
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    const previous = gateway;
    gateway = off;
    try {
      expect((await chat("openai::v1::text")).status).toBe(200);
    } finally {
      gateway = previous;
    }
  });
});
