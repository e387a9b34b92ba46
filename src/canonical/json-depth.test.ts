import { describe, expect, it } from "vitest";
import { maxBodyDepth, tooDeepAt } from "./json-depth.js";

function nestedArrays(depth: number): unknown {
  return JSON.parse("[".repeat(depth) + "]".repeat(depth));
}

describe("the nesting bound (issue 15: a body nested 100,000 levels was a 500)", () => {
  it("passes bodies up to the limit and scalars", () => {
    expect(tooDeepAt(nestedArrays(maxBodyDepth), maxBodyDepth)).toBeUndefined();
    expect(tooDeepAt({ a: [{ b: "[[[[[[" }] }, 3)).toBeUndefined();
    expect(tooDeepAt("text", 1)).toBeUndefined();
    expect(tooDeepAt(null, 1)).toBeUndefined();
  });

  it("finds 100,000 levels without recursion, and says where", () => {
    expect(tooDeepAt(nestedArrays(100_000), maxBodyDepth)).toBe("[0][0][0][0][0][0][0][0]…");
    const depth = 20_000;
    const schema = JSON.parse(
      `${'{"type":"object","properties":{"a":'.repeat(depth)}{}${"}}".repeat(depth)}`,
    );
    const body = { model: "m", tools: [{ name: "t", input_schema: schema }] };
    expect(tooDeepAt(body, maxBodyDepth)).toBe("tools[0].input_schema.properties.a.properties.a.properties…");
  });

  it("counts the root as level 1", () => {
    expect(tooDeepAt({ a: { b: {} } }, 2)).toBe("a.b");
    expect(tooDeepAt({ a: { b: {} } }, 3)).toBeUndefined();
  });
});
