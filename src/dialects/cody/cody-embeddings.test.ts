import { describe, expect, it } from "vitest";
import { readFixtureJson } from "../../../test/fixtures-helpers/fixtures.js";
import { canonicalToCodyEmbeddingsResponse, codyEmbeddingsToCanonicalRequest } from "./cody-embeddings.js";

describe("Cody embeddings request → canonical", () => {
  it("reads the request a Sourcegraph instance sends", () => {
    const result = codyEmbeddingsToCanonicalRequest(
      readFixtureJson("../cody-gateway/embeddings-request.json"),
    );
    expect(result).toEqual({
      ok: true,
      warnings: [],
      request: {
        isQuery: false,
        request: {
          model: "openai/text-embedding-ada-002",
          input: ["func main() {}", "package main"],
          single: false,
          encodingFormat: "float",
          extra: {},
        },
      },
    });
  });

  it.each([
    [{ input: ["x"] }, "model", "is required"],
    [{ model: "", input: ["x"] }, "model", "must not be empty"],
    [{ model: "m" }, "input", "is required"],
    [{ model: "m", input: "x" }, "input", "an array"],
    [{ model: "m", input: [] }, "input", "must not be empty"],
    [{ model: "m", input: ["a", 2] }, "input[1]", "string"],
    [{ model: "m", input: [""] }, "input[0]", "must not be empty"],
    [{ model: "m", input: ["a"], isQuery: "yes" }, "isQuery", "true or false"],
  ])("refuses %j naming %s", (body, field, message) => {
    const result = codyEmbeddingsToCanonicalRequest(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.field).toBe(field);
    expect(result.error.message).toContain(message);
  });
});

describe("canonical embeddings → Cody answer", () => {
  it("names the model the caller asked for and the vectors' size", () => {
    expect(
      canonicalToCodyEmbeddingsResponse(
        {
          model: "text-embedding-3-small",
          inputTokens: 4,
          data: [
            { index: 0, embedding: [0.1, 0.2, 0.3] },
            { index: 1, embedding: [0.4, 0.5, 0.6] },
          ],
        },
        "openai/text-embedding-3-small",
      ),
    ).toEqual({
      embeddings: [
        { index: 0, data: [0.1, 0.2, 0.3] },
        { index: 1, data: [0.4, 0.5, 0.6] },
      ],
      model: "openai/text-embedding-3-small",
      dimensions: 3,
    });
  });
});
