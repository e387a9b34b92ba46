import { describe, expect, it } from "vitest";
import { geminiParameters } from "./gemini-schema.js";

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "object",
  properties,
  ...extra,
});

describe("JSON Schema → Gemini's schema subset", () => {
  const cases: Array<[string, Record<string, unknown>, unknown, string[]]> = [
    [
      "keeps what Gemini takes",
      object(
        {
          name: {
            type: "string",
            description: "d",
            minLength: 1,
            maxLength: 9,
            pattern: "^a",
            format: "email",
          },
          count: { type: "integer", minimum: 0, maximum: 9, default: 1 },
          tags: { type: "array", items: { type: "string", enum: ["a", "b"] }, minItems: 1, maxItems: 3 },
        },
        { required: ["name"], title: "T" },
      ),
      object(
        {
          name: {
            type: "string",
            description: "d",
            minLength: 1,
            maxLength: 9,
            pattern: "^a",
            format: "email",
          },
          count: { type: "integer", minimum: 0, maximum: 9, default: 1 },
          tags: { type: "array", items: { type: "string", enum: ["a", "b"] }, minItems: 1, maxItems: 3 },
        },
        { required: ["name"], title: "T" },
      ),
      [],
    ],
    [
      "leaves out unknown keywords at every depth, not property names",
      object(
        {
          additionalProperties: {
            type: "object",
            properties: { $id: { type: "string" } },
            additionalProperties: false,
          },
        },
        { $schema: "https://json-schema.org/draft/2020-12/schema", additionalProperties: false },
      ),
      object({ additionalProperties: { type: "object", properties: { $id: { type: "string" } } } }),
      ["additionalProperties", "$schema"],
    ],
    [
      "turns a nullable type list into nullable",
      object({ a: { type: ["string", "null"] }, b: { type: ["string", "integer"] } }),
      object({
        a: { type: "string", nullable: true },
        b: { anyOf: [{ type: "string" }, { type: "integer" }] },
      }),
      [],
    ],
    [
      "turns anyOf with null into nullable, oneOf into anyOf",
      object({
        a: { anyOf: [{ type: "string" }, { type: "null" }] },
        b: { oneOf: [{ type: "string" }, { type: "number" }] },
      }),
      object({
        a: { type: "string", nullable: true },
        b: { anyOf: [{ type: "string" }, { type: "number" }] },
      }),
      [],
    ],
    [
      "turns a string const into an enum, a single allOf into its member",
      object({ kind: { const: "circle" }, shape: { allOf: [{ type: "string" }] }, n: { const: 3 } }),
      object({ kind: { enum: ["circle"], type: "string" }, shape: { type: "string" }, n: {} }),
      ["const"],
    ],
    [
      "inlines local $refs and stops at a recursive one",
      {
        type: "object",
        properties: {
          point: { $ref: "#/$defs/Point", description: "where" },
          tree: { $ref: "#/definitions/Node" },
        },
        $defs: { Point: { type: "object", properties: { x: { type: "number" } } } },
        definitions: { Node: { type: "object", properties: { child: { $ref: "#/definitions/Node" } } } },
      },
      object({
        point: { type: "object", properties: { x: { type: "number" } }, description: "where" },
        tree: { type: "object", properties: { child: {} } },
      }),
      ["$ref (recursive)"],
    ],
    [
      "reports what has no rewrite",
      object({
        a: { $ref: "https://example.com/schema" },
        b: { allOf: [{ type: "string" }, { minLength: 2 }] },
        c: { type: "array", items: [{ type: "string" }] },
        d: { type: "number", exclusiveMinimum: 0, multipleOf: 2 },
      }),
      object({ a: {}, b: {}, c: { type: "array" }, d: { type: "number" } }),
      ["$ref", "allOf", "items (tuple form)", "exclusiveMinimum", "multipleOf"],
    ],
    ["gives no schema for a function without parameters", { type: "object", properties: {} }, undefined, []],
    [
      "gives no schema for an object that says nothing",
      { type: "object", additionalProperties: false },
      undefined,
      ["additionalProperties"],
    ],
  ];
  for (const [name, input, schema, dropped] of cases) {
    it(name, () => {
      expect(geminiParameters(input)).toEqual({ schema, dropped });
    });
  }
});
