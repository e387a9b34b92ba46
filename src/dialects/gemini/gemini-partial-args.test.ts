import { afterEach, describe, expect, it } from "vitest";
import { createPartialArguments } from "./gemini-partial-args.js";

describe("Vertex partial arguments", () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it("never writes through __proto__, constructor or prototype in a path the model sent", () => {
    const args = createPartialArguments();
    args.apply([
      { jsonPath: "$.__proto__.polluted", stringValue: "yes" },
      { jsonPath: "$.constructor.prototype.polluted", stringValue: "yes" },
      { jsonPath: "$.city", stringValue: "Paris" },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(args.json()).toBe('{"city":"Paris"}');
  });
});
