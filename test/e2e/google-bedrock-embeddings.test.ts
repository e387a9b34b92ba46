/**
 * `POST /v1/embeddings` to Google and Bedrock embedding models through the OpenAI SDK's `embeddings.create`,
 * against the cloud mock (cloud-embeddings.ts checks each body as the real API would): the Gemini API
 * (`batchEmbedContents`, key header), Vertex (`predict`, OAuth bearer; the recorded answer for two inputs),
 * Bedrock Titan Text Embeddings v2 (one input per InvokeModel call: a list fans out, usage summed) and Cohere
 * Embed v3 (SigV4 verified independently, or a Bedrock API key). The SDK's default asks for base64 and decodes
 * it into float32; `encoding_format: "float"` gets the floats as the provider sent them. Each case checks the
 * vectors, the usage the client sees and the outcome records, and what the provider received.
 */
import { describe, expect, it } from "vitest";
import { readFixtureJson } from "../fixtures-helpers/fixtures.js";
import { mockTokens, mockVector, vertexEmbeddingRecording } from "../mock-upstream/cloud-embeddings.js";
import {
  awsKeyId,
  bedrockApiKey,
  cloudToken,
  geminiKey,
  modelNames,
  outcomeFor,
  refs,
  useCloudHarness,
} from "./cloud-harness.js";

// biome-ignore lint/suspicious/noExplicitAny: SDK errors and wire JSON of any shape.
type Loose = any;

const h = useCloudHarness();

const inputs = ["The quick brown fox", "jumps over the lazy dog", "and runs away"];
const formats = [undefined, "float"] as const;

/** What the SDK gives for a vector: float32 values when it decoded base64, else the floats as sent. */
function asReceived(values: number[], format: (typeof formats)[number]): number[] {
  return format === "float" ? values : values.map(Math.fround);
}

async function embed(model: string, input: string | string[], format: (typeof formats)[number], extra = {}) {
  return h.openai.embeddings.create({
    model,
    input,
    ...(format ? { encoding_format: format } : {}),
    ...extra,
  } as Loose);
}

async function failure(promise: Promise<unknown>): Promise<Loose> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** The gateway's estimate: about 4 characters a token. */
const estimate = (texts: string[]) => texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);

describe("Gemini API (batchEmbedContents)", () => {
  it.each(formats)(
    "one batch, key header; no token counts → the estimate (encoding_format=%s)",
    async (format) => {
      const response = await embed(refs.geminiEmbed, inputs, format, { dimensions: 256 });
      expect(response.model).toBe(modelNames.geminiEmbed);
      expect(response.data.map((item) => item.index)).toEqual([0, 1, 2]);
      expect(response.data.map((item) => Array.from(item.embedding))).toEqual(
        inputs.map((text) => asReceived(mockVector(text, 256), format)),
      );
      expect(response.usage).toEqual({ prompt_tokens: estimate(inputs), total_tokens: estimate(inputs) });
      expect((await outcomeFor(h, refs.geminiEmbed)).usage).toMatchObject({
        inputTokens: estimate(inputs),
        outputTokens: 0,
      });
      const received = h.cloud.received("/gemini/");
      expect(received).toHaveLength(1);
      expect(received[0]!.path).toBe(`/gemini/v1beta/models/${modelNames.geminiEmbed}:batchEmbedContents`);
      expect(received[0]!.headers["x-goog-api-key"]).toBe(geminiKey);
      expect(received[0]!.headers.authorization).toBeUndefined();
      expect(received[0]!.body).toEqual({
        requests: inputs.map((text) => ({
          model: `models/${modelNames.geminiEmbed}`,
          content: { parts: [{ text }] },
          outputDimensionality: 256,
        })),
      });
    },
  );

  it("answers base64 on the wire when asked, and marks the estimated usage", async () => {
    const response = await fetch(`${h.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${cloudToken}`, "content-type": "application/json" },
      body: JSON.stringify({ model: refs.geminiEmbed, input: "a single text", encoding_format: "base64" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-tollgate-estimate")).toBe("true");
    expect(response.headers.get("x-tollgate-model")).toBe(refs.geminiEmbed);
    const body = (await response.json()) as Loose;
    expect(body.object).toBe("list");
    const bytes = Buffer.from(body.data[0].embedding as string, "base64");
    const decoded = Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    expect(decoded).toEqual(mockVector("a single text", 3072).map(Math.fround));
  });
});

describe("Vertex (predict)", () => {
  const recorded = readFixtureJson(vertexEmbeddingRecording) as Loose;
  const recordedVectors: number[][] = recorded.predictions.map((item: Loose) => item.embeddings.values);

  it.each(formats)("the recorded answer, OAuth bearer, token counts (encoding_format=%s)", async (format) => {
    const pair = ["sunny day at the beach", "rainy day in the city"];
    const response = await embed(refs.vertexEmbed, pair, format);
    expect(response.model).toBe(modelNames.vertexEmbed);
    expect(response.data.map((item) => Array.from(item.embedding))).toEqual(
      recordedVectors.map((values) => asReceived(values, format)),
    );
    expect(response.usage).toEqual({ prompt_tokens: 11, total_tokens: 11 });
    expect((await outcomeFor(h, refs.vertexEmbed)).usage).toMatchObject({ inputTokens: 11, outputTokens: 0 });
    const received = h.cloud.last("/vertex/");
    expect(received.path).toBe(
      `/vertex/v1/projects/test-project/locations/us-central1/publishers/google/models/${modelNames.vertexEmbed}:predict`,
    );
    expect(received.headers.authorization).toMatch(/^Bearer /);
    expect(received.headers["x-goog-api-key"]).toBeUndefined();
    expect(received.body).toEqual({ instances: pair.map((content) => ({ content })) });
  });

  it("gemini-embedding-001 takes one instance per call: three inputs, three calls, usage summed", async () => {
    const response = await embed(refs.vertexGeminiEmbed, inputs, "float");
    expect(response.data.map((item) => item.embedding)).toEqual(inputs.map((text) => mockVector(text, 3072)));
    const tokens = inputs.reduce((sum, text) => sum + mockTokens(text), 0);
    expect(response.usage.prompt_tokens).toBe(tokens);
    expect((await outcomeFor(h, refs.vertexGeminiEmbed)).usage?.inputTokens).toBe(tokens);
    const bodies = h.cloud.received("/vertex/").map((request) => request.body.instances[0].content);
    expect(bodies.sort()).toEqual([...inputs].sort());
  });

  it("Anthropic on Vertex does not embed: 400 capability_missing naming the model", async () => {
    const error = await failure(embed(refs.vertexClaudeEmbed, "hello", "float"));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ code: "capability_missing", param: "model" });
    expect(h.cloud.requests).toHaveLength(0);
  });
});

describe("Bedrock Titan Text Embeddings v2", () => {
  it.each(formats)("one input: InvokeModel, SigV4 verified (encoding_format=%s)", async (format) => {
    const response = await embed(refs.titanEmbed, "The quick brown fox", format, { dimensions: 512 });
    expect(response.model).toBe(modelNames.titanEmbed);
    expect(response.data).toHaveLength(1);
    expect(Array.from(response.data[0]!.embedding)).toEqual(
      asReceived(mockVector("The quick brown fox", 512), format),
    );
    expect(response.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    expect((await outcomeFor(h, refs.titanEmbed)).usage).toMatchObject({ inputTokens: 4, outputTokens: 0 });
    const call = h.cloud.lastBedrock();
    expect(call.operation).toBe("invoke");
    expect(call.modelId).toBe(modelNames.titanEmbed);
    expect(call.auth).toBe("sigv4");
    expect(call.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
    expect(call.request.body).toEqual({ inputText: "The quick brown fox", dimensions: 512 });
  });

  it("a list fans out, one signed call per input; the vectors keep the input order and usage is summed", async () => {
    const many = Array.from({ length: 9 }, (_, index) => `input number ${index} ${"word ".repeat(index)}`);
    const response = await embed(refs.titanEmbed, many, undefined);
    expect(response.data.map((item) => item.index)).toEqual(many.map((_, index) => index));
    expect(response.data.map((item) => Array.from(item.embedding))).toEqual(
      many.map((text) => mockVector(text, 1024).map(Math.fround)),
    );
    const tokens = many.reduce((sum, text) => sum + mockTokens(text), 0);
    expect(response.usage.prompt_tokens).toBe(tokens);
    expect((await outcomeFor(h, refs.titanEmbed)).usage?.inputTokens).toBe(tokens);
    expect(h.cloud.bedrockCalls).toHaveLength(many.length);
    for (const call of h.cloud.bedrockCalls)
      expect(call.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
    expect(h.cloud.bedrockCalls.map((call) => call.request.body.inputText).sort()).toEqual([...many].sort());
  });

  it("more inputs than 256 calls can take: 400 naming input, nothing sent", async () => {
    const error = await failure(
      embed(
        refs.titanEmbed,
        Array.from({ length: 257 }, () => "a"),
        "float",
      ),
    );
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ code: "invalid_request", param: "input" });
    expect(error.message).toMatch(/one input per upstream call, so at most 256 inputs per request; got 257/);
    expect(h.cloud.bedrockCalls).toHaveLength(0);
  });

  it("with a Bedrock API key: a bearer, no signature", async () => {
    const response = await embed(refs.bearerTitanEmbed, "jumps over the lazy dog", "float");
    expect(response.data[0]!.embedding).toEqual(mockVector("jumps over the lazy dog", 1024));
    const call = h.cloud.lastBedrock();
    expect(call.auth).toBe("bearer");
    expect(call.request.headers.authorization).toBe(`Bearer ${bedrockApiKey}`);
    expect(call.request.headers["x-amz-date"]).toBeUndefined();
  });

  it("a Bedrock ValidationException reaches the client as a 400", async () => {
    const error = await failure(embed(refs.titanEmbed, "a text", "float", { dimensions: 300 }));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/dimensions: 300 is not a valid enum value/);
  });
});

describe("Bedrock Cohere Embed v3", () => {
  it.each(formats)(
    "texts as search_document; usage from Bedrock's token header (encoding_format=%s)",
    async (format) => {
      const response = await embed(refs.cohereEmbed, inputs, format);
      expect(response.model).toBe(modelNames.cohereEmbed);
      expect(response.data.map((item) => Array.from(item.embedding))).toEqual(
        inputs.map((text) => asReceived(mockVector(text, 1024), format)),
      );
      const tokens = inputs.reduce((sum, text) => sum + mockTokens(text), 0);
      expect(response.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
      expect((await outcomeFor(h, refs.cohereEmbed)).usage).toMatchObject({
        inputTokens: tokens,
        outputTokens: 0,
      });
      const call = h.cloud.lastBedrock();
      expect(h.cloud.bedrockCalls).toHaveLength(1);
      expect(call.rawPath).toBe(`/bedrock/model/${modelNames.cohereEmbed}/invoke`);
      expect(call.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
      expect(call.request.body).toEqual({ texts: inputs, input_type: "search_document" });
    },
  );

  it("the client's input_type and truncate travel; OpenAI's user does not, with a warning", async () => {
    const response = await h.openai.embeddings
      .create({
        model: refs.cohereEmbed,
        input: "what is the weather",
        encoding_format: "float",
        user: "user-42",
        input_type: "search_query",
        truncate: "END",
      } as Loose)
      .withResponse();
    expect(response.response.headers.get("x-tollgate-warnings")).toBe(
      "user: Cohere Embed has no end-user field; not sent",
    );
    expect(h.cloud.lastBedrock().request.body).toEqual({
      texts: ["what is the weather"],
      input_type: "search_query",
      truncate: "END",
    });
  });

  it("dimensions cannot be set on v3: 400 naming dimensions, nothing sent", async () => {
    const error = await failure(embed(refs.cohereEmbed, "a text", "float", { dimensions: 256 }));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ param: "dimensions" });
    expect(h.cloud.bedrockCalls).toHaveLength(0);
  });
});
