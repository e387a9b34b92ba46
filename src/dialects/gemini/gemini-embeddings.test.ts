import { describe, expect, it } from "vitest";
import { readFixtureJson } from "../../../test/fixtures-helpers/fixtures.js";
import type { CanonicalEmbeddingRequest } from "../../canonical/embeddings.js";
import {
  canonicalToGeminiEmbeddingsRequest,
  canonicalToVertexEmbeddingsRequest,
  geminiEmbeddingsResponseToCanonical,
  vertexMaxInstances,
} from "./gemini-embeddings.js";

const embedding = (overrides: Partial<CanonicalEmbeddingRequest> = {}): CanonicalEmbeddingRequest => ({
  model: "text-embedding-004",
  input: ["sunny day", "rainy day"],
  single: false,
  extra: {},
  ...overrides,
});

describe("gemini embeddings requests", () => {
  it("writes one batchEmbedContents request per input, with the model path, task type and dimensions", () => {
    expect(
      canonicalToGeminiEmbeddingsRequest(embedding({ dimensions: 256 }), {
        model: "gemini-embedding-001",
        taskType: "RETRIEVAL_DOCUMENT",
      }),
    ).toEqual({
      ok: true,
      body: {
        requests: [
          {
            model: "models/gemini-embedding-001",
            content: { parts: [{ text: "sunny day" }] },
            taskType: "RETRIEVAL_DOCUMENT",
            outputDimensionality: 256,
          },
          {
            model: "models/gemini-embedding-001",
            content: { parts: [{ text: "rainy day" }] },
            taskType: "RETRIEVAL_DOCUMENT",
            outputDimensionality: 256,
          },
        ],
      },
      warnings: [],
    });
    const prefixed = canonicalToGeminiEmbeddingsRequest(embedding({ input: ["a"] }), { model: "models/x" });
    expect(prefixed.ok && prefixed.body).toEqual({
      requests: [{ model: "models/x", content: { parts: [{ text: "a" }] } }],
    });
  });

  it("writes the Vertex predict body", () => {
    expect(
      canonicalToVertexEmbeddingsRequest(embedding({ dimensions: 64 }), {
        model: "text-embedding-005",
        taskType: "SEMANTIC_SIMILARITY",
      }),
    ).toEqual({
      ok: true,
      body: {
        instances: [
          { content: "sunny day", task_type: "SEMANTIC_SIMILARITY" },
          { content: "rainy day", task_type: "SEMANTIC_SIMILARITY" },
        ],
        parameters: { outputDimensionality: 64 },
      },
      warnings: [],
    });
  });

  it("warns about OpenAI-only fields and refuses token arrays and oversized batches", () => {
    const warned = canonicalToGeminiEmbeddingsRequest(embedding({ user: "u", extra: { openai: { x: 1 } } }), {
      model: "m",
    });
    expect(warned.ok && warned.warnings.map((warning) => warning.field)).toEqual(["user", "x"]);
    const tokens = canonicalToGeminiEmbeddingsRequest(embedding({ input: [[1, 2, 3]] }), { model: "m" });
    expect(tokens).toEqual({
      ok: false,
      error: { field: "input", message: "input: Gemini embeds text; token arrays cannot be sent" },
    });
    const many = canonicalToGeminiEmbeddingsRequest(
      embedding({ input: Array.from({ length: 101 }, () => "a") }),
      {
        model: "m",
      },
    );
    expect(many.ok === false && many.error.message).toMatch(/at most 100 inputs/);
  });
});

describe("Vertex predict limits", () => {
  it("takes 250 texts per call, one for gemini-embedding-001", () => {
    expect(vertexMaxInstances("text-embedding-005")).toBe(250);
    expect(vertexMaxInstances("gemini-embedding-001")).toBe(1);
  });
});

describe("gemini embeddings responses", () => {
  it("reads batchEmbedContents and embedContent answers", () => {
    expect(
      geminiEmbeddingsResponseToCanonical({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3] }] }, 200, {
        model: "gemini-embedding-001",
      }),
    ).toEqual({
      ok: true,
      response: {
        model: "gemini-embedding-001",
        data: [
          { index: 0, embedding: [0.1, 0.2] },
          { index: 1, embedding: [0.3] },
        ],
        inputTokens: 0,
      },
    });
    const single = geminiEmbeddingsResponseToCanonical({ embedding: { values: [1] } }, 200, { model: "m" });
    expect(single.ok && single.response.data).toEqual([{ index: 0, embedding: [1] }]);
  });

  it("reads the recorded Vertex predict answer with its token counts (vercel google-vertex-embedding.json)", () => {
    const result = geminiEmbeddingsResponseToCanonical(
      readFixtureJson("vercel-ai/google-vertex/google-vertex-embedding.json"),
      200,
      { model: "text-embedding-005" },
    );
    expect(result.ok && result.response.inputTokens).toBe(5 + 6);
    expect(result.ok && result.response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(result.ok && result.response.data[0]?.embedding).toEqual([
      -0.017999587580561638, -0.006893285550177097, -0.036766719073057175, -0.017558680847287178,
      -0.019938766956329346,
    ]);
  });

  it("gives base64 float32 when the client asked for it", () => {
    const result = geminiEmbeddingsResponseToCanonical({ embeddings: [{ values: [1, -2.5] }] }, 200, {
      model: "m",
      encodingFormat: "base64",
    });
    const text = result.ok ? (result.response.data[0]?.embedding as string) : "";
    const bytes = Buffer.from(text, "base64");
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([1, -2.5]);
  });

  it("reads an error body as an error", () => {
    expect(
      geminiEmbeddingsResponseToCanonical(
        {
          error: {
            code: 400,
            message: "at most 100 requests can be in one batch",
            status: "INVALID_ARGUMENT",
          },
        },
        400,
        { model: "m" },
      ),
    ).toEqual({
      ok: false,
      error: {
        status: 400,
        type: "invalid_request",
        code: "INVALID_ARGUMENT",
        message: "at most 100 requests can be in one batch",
      },
    });
  });
});
