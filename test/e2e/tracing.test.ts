/**
 * Tracing end to end (DESIGN §5, §8 "Traces"): `x-trace`/`x-span` on every answer, a caller's `traceparent`
 * continued, the gateway's client span as the upstream's parent, and the spans exported with OTLP/HTTP to a
 * local receiver (a node:http server that decodes the JSON export).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { type MockUpstream, sendJson, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";
import { gatewayConfig, gatewayToken, refusedOrigin } from "./gateway-harness.js";

type AttributeValue = string | number | boolean | undefined;

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  status: number;
  attributes: Record<string, AttributeValue>;
  service: AttributeValue;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value.stringValue ??
      (value.intValue === undefined ? undefined : Number(value.intValue)) ??
      value.boolValue ??
      value.doubleValue;
  }
  return out;
}

/** A collector stand-in: accepts OTLP/HTTP JSON exports and keeps their spans. */
class OtlpReceiver {
  readonly spans: ExportedSpan[] = [];
  readonly paths: string[] = [];
  /** Every export as it came: its media type and bytes. */
  readonly bodies: Array<{ type: string | undefined; bytes: Buffer }> = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.paths.push(request.url ?? "");
      const bytes = Buffer.concat(chunks);
      const type = request.headers["content-type"];
      this.bodies.push({ type, bytes });
      response.writeHead(200, { "content-type": type ?? "application/json" });
      if (type !== "application/json") {
        response.end();
        return;
      }
      const body = JSON.parse(bytes.toString("utf8")) as {
        resourceSpans: Array<{
          resource: { attributes: OtlpAttribute[] };
          scopeSpans: Array<{
            spans: Array<{
              traceId: string;
              spanId: string;
              parentSpanId?: string;
              name: string;
              kind: number;
              status?: { code?: number };
              attributes?: OtlpAttribute[];
            }>;
          }>;
        }>;
      };
      for (const resource of body.resourceSpans) {
        const service = attributesOf(resource.resource.attributes)["service.name"];
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) {
            this.spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: span.kind,
              status: span.status?.code ?? 0,
              attributes: attributesOf(span.attributes),
              service,
            });
          }
        }
      }
      response.end("{}");
    });
  });
  url = "";

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The spans of one trace, waiting for the batch that brings `count` of them. */
  async trace(traceId: string, count: number): Promise<ExportedSpan[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.spans.filter((span) => span.traceId === traceId);
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

interface Setup {
  mock: MockUpstream;
  gateway: Gateway;
  logs: string[];
  dir: string;
}

async function startTracedGateway(
  mock: MockUpstream,
  tracing: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-e2e-tracing-"));
  const file = join(dir, "tollgate.jsonc");
  const config = JSON.parse(
    gatewayConfig(mock.url, await refusedOrigin(), join(dir, "tollgate.db")).replace(/^\/\/.*\n/, ""),
  ) as Record<string, unknown>;
  config.telemetry = { tracing };
  await writeFile(file, JSON.stringify(config));
  const logs: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: { write: (line: string) => void logs.push(line) },
  });
  const gateway = await startTestGateway({
    file,
    dir,
    logger,
    // A short batch delay so each test sees its spans quickly.
    env: { TOLLGATE_ADMIN_TOKEN: gatewayToken, OTEL_BSP_SCHEDULE_DELAY: "20", ...env },
  });
  return { mock, gateway, logs, dir };
}

const auth = { authorization: `Bearer ${gatewayToken}`, "content-type": "application/json" };
const chat = (stream = false) =>
  JSON.stringify({ model: "openai::v1::text", stream, messages: [{ role: "user", content: "hi" }] });
const hex = (length: number) => new RegExp(`^[0-9a-f]{${length}}$`);
const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const callerSpan = "00f067aa0ba902b7";

let receiver: OtlpReceiver;
let mock: MockUpstream;
let traced: Setup;

beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
  mock = await startMockUpstream();
  // JSON, so the receiver can read the spans; protobuf (the default) is checked on its own below.
  traced = await startTracedGateway(
    mock,
    { enabled: true, endpoint: receiver.url, serviceName: "tollgate-test", sampleRatio: 1 },
    { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json" },
  );
});
afterAll(async () => {
  await traced?.gateway.close();
  await rm(traced?.dir ?? "", { recursive: true, force: true });
  await mock?.close();
  await receiver?.close();
});

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("trace headers and continuation", () => {
  it("continues a caller's traceparent: same trace id, the gateway's client span as the upstream's parent", async () => {
    mock.reset();
    const response = await post(traced.gateway.url, chat(), {
      ...auth,
      traceparent: `00-${callerTrace}-${callerSpan}-01`,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-trace")).toBe(callerTrace);
    const serverSpan = response.headers.get("x-span")!;
    expect(serverSpan).toMatch(hex(16));
    expect(serverSpan).not.toBe(callerSpan);

    const upstream = mock.last("/openai").headers.traceparent as string;
    const [version, trace, parent, flags] = upstream.split("-");
    expect([version, trace, flags]).toEqual(["00", callerTrace, "01"]);
    expect(parent).toMatch(hex(16));
    expect(parent).not.toBe(callerSpan);
    expect(parent).not.toBe(serverSpan);

    const spans = await receiver.trace(callerTrace, 4);
    const byName = Object.fromEntries(spans.map((span) => [span.name, span]));
    expect(Object.keys(byName).sort()).toEqual([
      "POST /v1/chat/completions",
      "admit",
      "authenticate",
      "chat text",
    ]);
    const server = byName["POST /v1/chat/completions"]!;
    expect(server).toMatchObject({ spanId: serverSpan, parentSpanId: callerSpan, kind: 2, status: 0 });
    expect(server.service).toBe("tollgate-test");
    expect(server.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.response.status_code": 200,
      "url.path": "/v1/chat/completions",
      "gen_ai.request.model": "text",
      "gen_ai.provider.name": "openai",
      "tollgate.model_ref": "openai::v1::text",
    });
    expect(byName.authenticate!.parentSpanId).toBe(serverSpan);
    expect(byName.admit!.parentSpanId).toBe(serverSpan);
    const client = byName["chat text"]!;
    expect(client).toMatchObject({ spanId: parent, parentSpanId: serverSpan, kind: 3 });
    expect(client.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "text",
      "gen_ai.provider.name": "openai",
      "gen_ai.system": "openai",
      "server.address": "127.0.0.1",
      "http.response.status_code": 200,
    });
    expect(client.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(client.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
  });

  it("starts a new trace when the incoming traceparent is invalid", async () => {
    mock.reset();
    for (const invalid of [
      `00-${callerTrace.toUpperCase()}-${callerSpan}-01`,
      `00-${"0".repeat(32)}-${callerSpan}-01`,
      `ff-${callerTrace}-${callerSpan}-01`,
      "garbage",
    ]) {
      const response = await post(traced.gateway.url, chat(), { ...auth, traceparent: invalid });
      expect(response.status).toBe(200);
      const trace = response.headers.get("x-trace")!;
      expect(trace).toMatch(hex(32));
      expect(trace).not.toBe(callerTrace);
      expect(trace).not.toBe("0".repeat(32));
      expect((mock.last("/openai").headers.traceparent as string).split("-")[1]).toBe(trace);
      const spans = await receiver.trace(trace, 4);
      const server = spans.find((span) => span.kind === 2);
      expect(server?.spanId).toBe(response.headers.get("x-span"));
      expect(server?.parentSpanId).toBeUndefined();
    }
  });

  it("puts the headers on a streamed answer and the trace id in its access line", async () => {
    const response = await post(traced.gateway.url, chat(true), auth);
    expect(response.status).toBe(200);
    expect(response.text).toContain("data: [DONE]");
    const trace = response.headers.get("x-trace")!;
    expect(trace).toMatch(hex(32));
    expect(response.headers.get("x-span")).toMatch(hex(16));
    const spans = await receiver.trace(trace, 4);
    const client = spans.find((span) => span.name === "chat text");
    expect(client?.attributes["gen_ai.request.stream"]).toBe(true);
    expect(client?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    const line = traced.logs
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.msg === "request" && entry.traceId === trace);
    expect(line).toMatchObject({ path: "/v1/chat/completions", status: 200 });
  });

  it("answers a refusal (401) with the headers and records the failed authentication", async () => {
    const response = await post(traced.gateway.url, chat(), { "content-type": "application/json" });
    expect(response.status).toBe(401);
    const trace = response.headers.get("x-trace")!;
    expect(trace).toMatch(hex(32));
    expect(response.headers.get("x-span")).toMatch(hex(16));
    const spans = await receiver.trace(trace, 2);
    const server = spans.find((span) => span.name === "POST /v1/chat/completions");
    // A caller's error is not the server's: status unset, the code as error.type.
    expect(server).toMatchObject({ status: 0 });
    expect(server?.attributes).toMatchObject({
      "http.response.status_code": 401,
      "error.type": "unauthenticated",
    });
    const step = spans.find((span) => span.name === "authenticate");
    expect(step).toMatchObject({ status: 2, parentSpanId: server?.spanId });
  });

  it("marks an upstream failure (502) as an error of the server and client spans", async () => {
    mock.reset();
    mock.script("/openai", (_request, response) => sendJson(response, 500, { error: { message: "boom" } }));
    const response = await post(traced.gateway.url, chat(), auth);
    mock.reset();
    expect(response.status).toBe(502);
    const spans = await receiver.trace(response.headers.get("x-trace")!, 4);
    const server = spans.find((span) => span.name === "POST /v1/chat/completions");
    expect(server?.status).toBe(2);
    expect(server?.attributes["http.response.status_code"]).toBe(502);
    expect(server?.attributes["error.type"]).toEqual(expect.any(String));
    const client = spans.find((span) => span.kind === 3);
    expect(client?.status).toBe(2);
    expect(client?.attributes["http.response.status_code"]).toBe(500);
  });

  it("puts the headers on the framework's routes (/v1/models, /healthz) and traces them", async () => {
    const models = await fetch(`${traced.gateway.url}/v1/models`, {
      headers: { ...auth, traceparent: `00-${"a".repeat(32)}-${callerSpan}-01` },
    });
    expect(models.status).toBe(200);
    expect(models.headers.get("x-trace")).toBe("a".repeat(32));
    const modelsSpan = models.headers.get("x-span");
    expect(modelsSpan).toMatch(hex(16));
    expect(modelsSpan).not.toBe(callerSpan);

    const health = await fetch(`${traced.gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get("x-trace")).toMatch(hex(32));
    expect(health.headers.get("x-span")).toMatch(hex(16));

    const spans = await receiver.trace("a".repeat(32), 2);
    const server = spans.find((span) => span.name === "GET /v1/models");
    expect(server).toMatchObject({ spanId: modelsSpan, parentSpanId: callerSpan, kind: 2 });
    expect(server?.attributes).toMatchObject({
      "http.route": "/v1/models",
      "http.response.status_code": 200,
    });
    expect(spans.find((span) => span.name === "authenticate")?.parentSpanId).toBe(modelsSpan);
    const line = traced.logs
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.msg === "request" && entry.path === "/v1/models");
    expect(line?.traceId).toBe("a".repeat(32));
  });

  it("exports to the collector's traces path", () => {
    expect(receiver.paths.length).toBeGreaterThan(0);
    expect(new Set(receiver.paths)).toEqual(new Set(["/v1/traces"]));
  });
});

describe("OTLP protobuf, the default protocol", () => {
  it("exports to OTEL_EXPORTER_OTLP_ENDPOINT, flushed when the gateway closes", async () => {
    const collector = await new OtlpReceiver().start();
    // A long batch delay: only the shutdown's flush can send the spans in time.
    const setup = await startTracedGateway(
      mock,
      { enabled: false },
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: "60000" },
    );
    let trace = "";
    try {
      const response = await post(setup.gateway.url, chat(), auth);
      expect(response.status).toBe(200);
      trace = response.headers.get("x-trace")!;
    } finally {
      await setup.gateway.close();
      await rm(setup.dir, { recursive: true, force: true });
    }
    await collector.close();
    expect(collector.paths).toEqual(["/v1/traces"]);
    const [exported] = collector.bodies;
    expect(exported?.type).toBe("application/x-protobuf");
    // Protobuf carries ids as raw bytes.
    expect(exported?.bytes.includes(Buffer.from(trace, "hex"))).toBe(true);
    expect(exported?.bytes.includes(Buffer.from("POST /v1/chat/completions"))).toBe(true);
  });
});

describe("sampleRatio 0", () => {
  it("exports nothing, yet still answers with the headers and passes the trace on unsampled", async () => {
    const silent = await new OtlpReceiver().start();
    const setup = await startTracedGateway(mock, { enabled: true, endpoint: silent.url, sampleRatio: 0 });
    try {
      mock.reset();
      const response = await post(setup.gateway.url, chat(), auth);
      expect(response.status).toBe(200);
      const trace = response.headers.get("x-trace")!;
      expect(trace).toMatch(hex(32));
      expect(response.headers.get("x-span")).toMatch(hex(16));
      const upstream = (mock.last("/openai").headers.traceparent as string).split("-");
      expect(upstream[1]).toBe(trace);
      expect(upstream[3]).toBe("00");
      const models = await fetch(`${setup.gateway.url}/v1/models`, { headers: auth });
      expect(models.headers.get("x-trace")).toMatch(hex(32));
    } finally {
      // Closing flushes whatever was batched: nothing, here.
      await setup.gateway.close();
      await rm(setup.dir, { recursive: true, force: true });
    }
    expect(silent.spans).toEqual([]);
    await silent.close();
  });
});

describe("without an exporter", () => {
  it("still answers with the headers and sends traceparent upstream", async () => {
    const setup = await startTracedGateway(mock, { enabled: false });
    try {
      mock.reset();
      const response = await post(setup.gateway.url, chat(), {
        ...auth,
        traceparent: `00-${callerTrace}-${callerSpan}-01`,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-trace")).toBe(callerTrace);
      const span = response.headers.get("x-span")!;
      expect(span).toMatch(hex(16));
      const [, trace, parent, flags] = (mock.last("/openai").headers.traceparent as string).split("-");
      expect([trace, flags]).toEqual([callerTrace, "01"]);
      expect(parent).not.toBe(callerSpan);
      expect(parent).not.toBe(span);
    } finally {
      await setup.gateway.close();
      await rm(setup.dir, { recursive: true, force: true });
    }
  });
});
