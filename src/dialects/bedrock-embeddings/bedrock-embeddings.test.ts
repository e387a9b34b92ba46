import { describe, expect, it } from "vitest";
import type { CanonicalEmbeddingRequest } from "../../canonical/embeddings.js";
import {
  canonicalToCohereEmbeddingsRequest,
  canonicalToTitanEmbeddingsRequest,
  cohereEmbeddingsResponseToCanonical,
  titanEmbeddingsResponseToCanonical,
} from "./bedrock-embeddings.js";

const titan = "amazon.titan-embed-text-v2:0";
const cohere = "cohere.embed-english-v3";

const embedding = (overrides: Partial<CanonicalEmbeddingRequest> = {}): CanonicalEmbeddingRequest => ({
  model: "bedrock::v1::embed",
  input: ["sunny day"],
  single: false,
  extra: {},
  ...overrides,
});

const floats = (base64: string) => {
  const bytes = Buffer.from(base64, "base64");
  return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
};

describe("Titan Text Embeddings requests", () => {
  it("writes inputText, with dimensions and the client's normalize", () => {
    expect(canonicalToTitanEmbeddingsRequest(embedding(), { model: titan })).toEqual({
      ok: true,
      body: { inputText: "sunny day" },
      warnings: [],
    });
    expect(
      canonicalToTitanEmbeddingsRequest(
        embedding({ dimensions: 256, extra: { openai: { normalize: false } } }),
        { model: titan },
      ),
    ).toEqual({
      ok: true,
      body: { inputText: "sunny day", dimensions: 256, normalize: false },
      warnings: [],
    });
  });

  it("takes one input: a list is the caller's to split", () => {
    expect(canonicalToTitanEmbeddingsRequest(embedding({ input: ["a", "b"] }), { model: titan })).toEqual({
      ok: false,
      error: { field: "input", message: "input: Amazon Titan embeds one input per request, got 2" },
    });
  });

  it("refuses token arrays, a non-boolean normalize, and dimensions for v1; warns about what it drops", () => {
    const tokens = canonicalToTitanEmbeddingsRequest(embedding({ input: [[1, 2]] }), { model: titan });
    expect(tokens.ok === false && tokens.error.field).toBe("input");
    const normalize = canonicalToTitanEmbeddingsRequest(
      embedding({ extra: { openai: { normalize: "yes" } } }),
      {
        model: titan,
      },
    );
    expect(normalize.ok === false && normalize.error).toEqual({
      field: "normalize",
      message: "normalize: must be a boolean",
    });
    const v1 = canonicalToTitanEmbeddingsRequest(embedding({ dimensions: 512 }), {
      model: "amazon.titan-embed-text-v1",
    });
    expect(v1.ok === false && v1.error.field).toBe("dimensions");
    const warned = canonicalToTitanEmbeddingsRequest(
      embedding({ user: "u-1", extra: { openai: { input_type: "search_query" } } }),
      { model: titan },
    );
    expect(warned.ok && warned.body).toEqual({ inputText: "sunny day" });
    expect(warned.ok && warned.warnings.map((warning) => warning.field)).toEqual(["user", "input_type"]);
  });
});

describe("Titan Text Embeddings answers", () => {
  const answer = {
    embedding: [0.125, -0.5, 0.25],
    inputTextTokenCount: 4,
    embeddingsByType: { float: [0.125, -0.5, 0.25] },
  };

  it("reads the vector and inputTextTokenCount, as floats or base64", () => {
    expect(titanEmbeddingsResponseToCanonical(answer, 200, { model: titan })).toEqual({
      ok: true,
      response: { model: titan, data: [{ index: 0, embedding: [0.125, -0.5, 0.25] }], inputTokens: 4 },
    });
    const base64 = titanEmbeddingsResponseToCanonical(answer, 200, {
      model: titan,
      encodingFormat: "base64",
    });
    expect(base64.ok && floats(base64.response.data[0]?.embedding as string)).toEqual([0.125, -0.5, 0.25]);
  });

  it("falls back to embeddingsByType and the token header; a body without a vector is an error", () => {
    const byType = titanEmbeddingsResponseToCanonical({ embeddingsByType: { float: [1, 2] } }, 200, {
      model: titan,
      inputTokenHeader: 7,
    });
    expect(byType.ok && byType.response).toMatchObject({ data: [{ embedding: [1, 2] }], inputTokens: 7 });
    const bad = titanEmbeddingsResponseToCanonical({ message: "Malformed input request" }, 200, {
      model: titan,
    });
    expect(bad.ok === false && bad.error.message).toBe("Malformed input request");
    const empty = titanEmbeddingsResponseToCanonical({}, 200, { model: titan });
    expect(empty.ok === false && empty.error).toMatchObject({
      status: 502,
      message: "the answer has no embedding",
    });
  });
});

describe("Cohere Embed requests", () => {
  it("writes texts as documents unless the client says input_type; truncate passes", () => {
    expect(canonicalToCohereEmbeddingsRequest(embedding({ input: ["a", "b"] }), { model: cohere })).toEqual({
      ok: true,
      body: { texts: ["a", "b"], input_type: "search_document" },
      warnings: [],
    });
    const query = canonicalToCohereEmbeddingsRequest(
      embedding({ extra: { openai: { input_type: "search_query", truncate: "END" } } }),
      { model: cohere },
    );
    expect(query.ok && query.body).toEqual({
      texts: ["sunny day"],
      input_type: "search_query",
      truncate: "END",
    });
  });

  it("refuses an unknown input_type, more than 96 texts, and dimensions for v3 (v4 takes output_dimension)", () => {
    const type = canonicalToCohereEmbeddingsRequest(
      embedding({ extra: { openai: { input_type: "code" } } }),
      {
        model: cohere,
      },
    );
    expect(type.ok === false && type.error.field).toBe("input_type");
    const many = canonicalToCohereEmbeddingsRequest(
      embedding({ input: Array.from({ length: 97 }, () => "a") }),
      { model: cohere },
    );
    expect(many.ok === false && many.error.message).toBe(
      "input: Cohere Embed takes at most 96 inputs per request, got 97",
    );
    const v3 = canonicalToCohereEmbeddingsRequest(embedding({ dimensions: 256 }), { model: cohere });
    expect(v3.ok === false && v3.error.field).toBe("dimensions");
    const v4 = canonicalToCohereEmbeddingsRequest(embedding({ dimensions: 256 }), {
      model: "cohere.embed-v4:0",
    });
    expect(v4.ok && v4.body).toEqual({
      texts: ["sunny day"],
      input_type: "search_document",
      output_dimension: 256,
    });
  });
});

describe("Cohere Embed answers", () => {
  it("reads embeddings_floats with the token count of Bedrock's header, as floats or base64", () => {
    const answer = {
      embeddings: [
        [0.5, 0.25],
        [-1, 2],
      ],
      id: "a7e1c0d2-3b4f-4c5d-9e6f-7a8b9c0d1e2f",
      response_type: "embeddings_floats",
      texts: ["a", "b"],
    };
    expect(cohereEmbeddingsResponseToCanonical(answer, 200, { model: cohere, inputTokenHeader: 6 })).toEqual({
      ok: true,
      response: {
        model: cohere,
        data: [
          { index: 0, embedding: [0.5, 0.25] },
          { index: 1, embedding: [-1, 2] },
        ],
        inputTokens: 6,
      },
    });
    const base64 = cohereEmbeddingsResponseToCanonical(answer, 200, {
      model: cohere,
      encodingFormat: "base64",
    });
    expect(base64.ok && base64.response.data.map((item) => floats(item.embedding as string))).toEqual([
      [0.5, 0.25],
      [-1, 2],
    ]);
    expect(base64.ok && base64.response.inputTokens).toBe(0);
  });

  it("reads embeddings_by_type; a body without vectors is an error", () => {
    const byType = cohereEmbeddingsResponseToCanonical(
      { embeddings: { float: [[1, 2]] }, response_type: "embeddings_by_type" },
      200,
      { model: "cohere.embed-v4:0" },
    );
    expect(byType.ok && byType.response.data).toEqual([{ index: 0, embedding: [1, 2] }]);
    const bad = cohereEmbeddingsResponseToCanonical({ embeddings: [[1], "x"] }, 200, { model: cohere });
    expect(bad.ok).toBe(false);
  });
});
