import { describe, expect, it } from "vitest";
import { newSpanId, newTraceId } from "./tracing-ids.js";
import { tracesEndpoint, tracesProtocol } from "./tracing-setup.js";

const off = { enabled: false, serviceName: "tollgate", sampleRatio: 1 };
const on = { ...off, enabled: true };

describe("tracesEndpoint", () => {
  it.each([
    ["nothing set: no export", off, {}, undefined],
    ["enabled without an endpoint: the local collector", on, {}, "http://localhost:4318/v1/traces"],
    [
      "the configured base endpoint",
      { ...on, endpoint: "http://otel:4318/" },
      {},
      "http://otel:4318/v1/traces",
    ],
    [
      "a configured full endpoint",
      { ...on, endpoint: "http://otel:4318/v1/traces" },
      {},
      "http://otel:4318/v1/traces",
    ],
    ["an endpoint not enabled", { ...off, endpoint: "http://otel:4318" }, {}, undefined],
    [
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      off,
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" },
      "http://c:4318/v1/traces",
    ],
    [
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, as is",
      off,
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/traces", OTEL_EXPORTER_OTLP_ENDPOINT: "http://x" },
      "http://c:4318/traces",
    ],
    [
      "the config before the environment",
      { ...on, endpoint: "http://cfg" },
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://env" },
      "http://cfg/v1/traces",
    ],
    [
      "OTEL_SDK_DISABLED",
      on,
      { OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c" },
      undefined,
    ],
    ["OTEL_TRACES_EXPORTER=none", on, { OTEL_TRACES_EXPORTER: "none" }, undefined],
  ])("%s", (_name, settings, env, expected) => {
    expect(tracesEndpoint(settings, env)).toBe(expected);
  });
});

describe("tracesProtocol", () => {
  it("is protobuf unless JSON is asked for; gRPC is refused with what to set", () => {
    expect(tracesProtocol({})).toBe("http/protobuf");
    expect(tracesProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })).toBe("http/json");
    expect(
      tracesProtocol({
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
      }),
    ).toBe("http/protobuf");
    expect(() => tracesProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toThrow(
      /http\/protobuf or http\/json/,
    );
  });
});

describe("pooled ids", () => {
  it("are lower-case hex of the right length, and differ", () => {
    const traces = new Set(Array.from({ length: 1000 }, newTraceId));
    const spans = new Set(Array.from({ length: 1000 }, newSpanId));
    expect(traces.size).toBe(1000);
    expect(spans.size).toBe(1000);
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
