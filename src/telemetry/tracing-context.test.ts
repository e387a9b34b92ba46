import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent } from "./tracing-context.js";

const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
const span = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  it.each([
    ["sampled", `00-${trace}-${span}-01`, { traceId: trace, spanId: span, sampled: true }],
    ["not sampled", `00-${trace}-${span}-00`, { traceId: trace, spanId: span, sampled: false }],
    ["other flags beside sampled", `00-${trace}-${span}-03`, { traceId: trace, spanId: span, sampled: true }],
    [
      "a later version with more fields",
      `01-${trace}-${span}-01-extra`,
      { traceId: trace, spanId: span, sampled: true },
    ],
  ])("reads %s", (_name, header, parsed) => {
    expect(parseTraceparent({ traceparent: header })).toEqual(parsed);
  });

  it.each([
    ["absent", undefined],
    ["upper-case hex", `00-${trace.toUpperCase()}-${span}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${span}-01`],
    ["an all-zero span id", `00-${trace}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${trace}-${span}-01`],
    ["version 00 with more fields", `00-${trace}-${span}-01-extra`],
    ["a short trace id", `00-${trace.slice(1)}-${span}-01`],
    ["not hex", `00-${trace.replace("4", "g")}-${span}-01`],
    ["garbage", "hello"],
  ])("ignores %s", (_name, header) => {
    expect(parseTraceparent(header === undefined ? {} : { traceparent: header })).toBeUndefined();
  });

  it("formats what it reads", () => {
    expect(formatTraceparent(trace, span, true)).toBe(`00-${trace}-${span}-01`);
    expect(formatTraceparent(trace, span, false)).toBe(`00-${trace}-${span}-00`);
  });
});
