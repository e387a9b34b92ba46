import { describe, expect, it } from "vitest";
import { EndpointPicker } from "./endpoint-picker.js";

describe("EndpointPicker", () => {
  const urls = ["http://a.test/v1", "http://b.test/v1", "http://c.test/v1"];

  it("parses once, keeps the query out of the label, rejects other schemes", () => {
    const picker = new EndpointPicker(5_000);
    const state = picker.state("https://example.test:8443/v1beta/models/x:generate?key=SECRET&alt=sse");
    expect(state).toMatchObject({
      origin: "https://example.test:8443",
      path: "/v1beta/models/x:generate?key=SECRET&alt=sse",
      label: "https://example.test:8443/v1beta/models/x:generate",
    });
    expect(picker.state("https://example.test:8443/v1beta/models/x:generate?key=SECRET&alt=sse")).toBe(state);
    expect(() => picker.state("ftp://example.test/")).toThrow(TypeError);
  });

  it("rotates among equally loaded endpoints", () => {
    const picker = new EndpointPicker(5_000);
    const states = urls.map((url) => picker.state(url));
    const firsts = [0, 1, 2, 3, 4, 5].map(() => picker.order(states, 0)[0]);
    expect(firsts).toEqual([0, 1, 2, 0, 1, 2]);
    expect(picker.order(states, 0)).toHaveLength(3);
  });

  it("prefers the least loaded endpoint", () => {
    const picker = new EndpointPicker(5_000);
    const states = urls.map((url) => picker.state(url));
    states[0]!.inFlight = 5;
    states[1]!.inFlight = 1;
    states[2]!.inFlight = 3;
    expect(picker.order(states, 0)).toEqual([1, 2, 0]);
  });

  it("skips cooling endpoints unless all are cooling, then tries the soonest recovered first", () => {
    const picker = new EndpointPicker(5_000);
    const states = urls.map((url) => picker.state(url));
    picker.failed(states[0]!, 1_000);
    expect(picker.order(states, 2_000)).not.toContain(0);
    expect(picker.order(states, 6_000)).toContain(0);
    picker.failed(states[1]!, 1_500);
    picker.failed(states[2]!, 1_200);
    expect(picker.order(states, 2_000)).toEqual([0, 2, 1]);
    picker.succeeded(states[1]!);
    expect(picker.order(states, 2_000)).toEqual([1]);
  });
});
