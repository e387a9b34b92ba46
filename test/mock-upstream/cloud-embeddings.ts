/**
 * The cloud mock's embedding models (cloud-mock.ts routes to them), checking each body as the real API would
 * and answering in its shape:
 * - Gemini API `batchEmbedContents`: `{requests: [{model: "models/<url model>", content: {parts: [{text}]},
 *   outputDimensionality?}]}`, at most 100 → `{embeddings: [{values}]}` (no token counts: the API sends none).
 * - Vertex `predict`: `{instances: [{content}], parameters?: {outputDimensionality}}`, at most 250 (one for
 *   gemini-embedding-*) → `{predictions: [{embeddings: {values, statistics: {token_count, truncated}}}]}`. Two
 *   instances get the recorded answer (vercel-ai google-vertex-embedding.json, test/fixtures/recorded).
 * - Bedrock InvokeModel, Titan Text Embeddings v2: `{inputText, dimensions?, normalize?, embeddingTypes?}`, no
 *   other key → `{embedding, inputTextTokenCount, embeddingsByType: {float}}`.
 * - Bedrock InvokeModel, Cohere Embed v3: `{texts (1–96), input_type, truncate?, embedding_types?}` →
 *   `{embeddings, id, response_type: "embeddings_floats", texts}`.
 * Bedrock answers carry `x-amzn-requestid` and `x-amzn-bedrock-input-token-count`, as Bedrock does.
 * No other embeddings were recorded, so the vectors are made up, deterministically from the text (`mockVector`),
 * and token counts are the text's words (`mockTokens`): tests compute what to expect with the same functions.
 */
import { readFixtureJson } from "../fixtures-helpers/fixtures.js";

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape.
type Loose = any;

export const vertexEmbeddingRecording = "vercel-ai/google-vertex/google-vertex-embedding.json";

/** What the mock answers: a body with its status and headers, or an error in the API's own shape. */
export interface EmbeddingAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A unit vector of `dimensions` values made from the text (an FNV-1a seed and a linear congruential walk). */
export function mockVector(text: string, dimensions: number): number[] {
  let seed = 0x811c9dc5;
  for (const char of text) seed = Math.imul(seed ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  const values: number[] = [];
  for (let index = 0; index < dimensions; index++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    values.push(seed / 0x100000000 - 0.5);
  }
  const norm = Math.hypot(...values);
  return values.map((value) => value / norm);
}

/** The mock's token count of a text: its words. */
export function mockTokens(text: string): number {
  return text.trim().split(/\s+/).length;
}

const googleError = (message: string): EmbeddingAnswer => ({
  status: 400,
  body: { error: { code: 400, message, status: "INVALID_ARGUMENT" } },
});

const bedrockError = (message: string): EmbeddingAnswer => ({
  status: 400,
  body: { message },
  headers: { "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" },
});

export function geminiBatchEmbed(model: string, body: Loose): EmbeddingAnswer {
  const requests: Loose[] = Array.isArray(body?.requests) ? body.requests : [];
  if (requests.length === 0) return googleError("* BatchEmbedContentsRequest.requests: must not be empty");
  if (requests.length > 100) return googleError("* BatchEmbedContentsRequest.requests: at most 100 requests");
  const embeddings: Loose[] = [];
  for (const [index, item] of requests.entries()) {
    if (item.model !== `models/${model}`)
      return googleError(`requests[${index}].model: expected models/${model}, got ${item.model}`);
    const text = item.content?.parts?.[0]?.text;
    if (typeof text !== "string") return googleError(`requests[${index}].content: text required`);
    embeddings.push({ values: mockVector(text, item.outputDimensionality ?? 3072) });
  }
  return { status: 200, body: { embeddings } };
}

export function vertexPredict(model: string, body: Loose): EmbeddingAnswer {
  const instances: Loose[] = Array.isArray(body?.instances) ? body.instances : [];
  const most = model.startsWith("gemini-embedding") ? 1 : 250;
  if (instances.length === 0 || instances.length > most)
    return googleError(`instances: expected 1 to ${most} instances, got ${instances.length}`);
  if (instances.some((instance) => typeof instance?.content !== "string"))
    return googleError("instances[].content: a string is required");
  if (instances.length === 2) return { status: 200, body: readFixtureJson(vertexEmbeddingRecording) };
  const dimensions = body.parameters?.outputDimensionality ?? (most === 1 ? 3072 : 768);
  return {
    status: 200,
    body: {
      predictions: instances.map(({ content }) => ({
        embeddings: {
          statistics: { token_count: mockTokens(content), truncated: false },
          values: mockVector(content, dimensions),
        },
      })),
      metadata: { billableCharacterCount: instances.reduce((sum, { content }) => sum + content.length, 0) },
    },
  };
}

const bedrockHeaders = (tokens: number, id: string) => ({
  "x-amzn-requestid": id,
  "x-amzn-bedrock-input-token-count": String(tokens),
  "x-amzn-bedrock-invocation-latency": "87",
});

const titanKeys = new Set(["inputText", "dimensions", "normalize", "embeddingTypes"]);

export function titanInvoke(body: Loose): EmbeddingAnswer {
  for (const key of Object.keys(body ?? {})) {
    if (!titanKeys.has(key))
      return bedrockError(`Malformed input request: #: extraneous key [${key}] is not permitted`);
  }
  if (typeof body?.inputText !== "string" || body.inputText === "")
    return bedrockError("Malformed input request: #/inputText: expected minLength: 1");
  const dimensions = body.dimensions ?? 1024;
  if (![256, 512, 1024].includes(dimensions))
    return bedrockError(`Malformed input request: #/dimensions: ${dimensions} is not a valid enum value`);
  const embedding = mockVector(body.inputText, dimensions);
  const tokens = mockTokens(body.inputText);
  return {
    status: 200,
    body: { embedding, inputTextTokenCount: tokens, embeddingsByType: { float: embedding } },
    headers: bedrockHeaders(tokens, "5b1e7a3c-2d4f-4e6a-8b9c-0d1e2f3a4b5c"),
  };
}

const cohereKeys = new Set(["texts", "input_type", "truncate", "embedding_types", "images"]);
const inputTypes = new Set(["search_document", "search_query", "classification", "clustering"]);

export function cohereInvoke(body: Loose): EmbeddingAnswer {
  for (const key of Object.keys(body ?? {})) {
    if (!cohereKeys.has(key))
      return bedrockError(`Malformed input request: #: extraneous key [${key}] is not permitted`);
  }
  const texts: unknown = body?.texts;
  if (!Array.isArray(texts) || texts.length === 0 || texts.length > 96)
    return bedrockError("Malformed input request: #/texts: expected 1 to 96 texts");
  if (!inputTypes.has(body.input_type))
    return bedrockError(
      `Malformed input request: #/input_type: ${body.input_type} is not a valid enum value`,
    );
  const tokens = texts.reduce((sum: number, text: string) => sum + mockTokens(text), 0);
  return {
    status: 200,
    body: {
      embeddings: texts.map((text: string) => mockVector(text, 1024)),
      id: "6c2f8d4e-1a3b-4c5d-8e7f-9a0b1c2d3e4f",
      response_type: "embeddings_floats",
      texts: texts.map((text: string) => text.toLowerCase()),
    },
    headers: bedrockHeaders(tokens, "8d3e9f5a-2b4c-4d6e-9f8a-1b2c3d4e5f6a"),
  };
}

/** The Bedrock embedding model an id names, if any. */
export function bedrockEmbeddingModel(modelId: string): "titan" | "cohere" | undefined {
  if (/(^|\.)amazon\.titan-embed-text-/.test(modelId)) return "titan";
  if (/(^|\.)cohere\.embed-/.test(modelId)) return "cohere";
  return undefined;
}
