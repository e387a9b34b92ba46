/** Embeddings in dialect-neutral form: OpenAI in, OpenAI, Gemini, Vertex and Bedrock (Titan, Cohere) out. */
export interface CanonicalEmbeddingRequest {
  model: string | undefined;
  /** Strings, or token-id arrays (OpenAI only). */
  input: string[] | number[][];
  /** The client sent a single input rather than a list; responses keep the list form either way. */
  single: boolean;
  dimensions?: number;
  encodingFormat?: "float" | "base64";
  user?: string;
  extra: { openai?: Record<string, unknown> };
}

export interface CanonicalEmbedding {
  index: number;
  /** Floats, or base64 of little-endian float32 when `encodingFormat` was base64. */
  embedding: number[] | string;
}

export interface CanonicalEmbeddingResponse {
  model: string;
  data: CanonicalEmbedding[];
  /** Embeddings have input tokens only. */
  inputTokens: number;
}

/**
 * A vector as the client asked for it: floats, or OpenAI's `encoding_format: "base64"` (little-endian float32
 * bytes in base64; the OpenAI SDK asks for it by default and decodes it).
 */
export function encodeEmbedding(values: number[], format: "float" | "base64" | undefined): number[] | string {
  if (format !== "base64") return values;
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((value, index) => {
    view.setFloat32(index * 4, value, true);
  });
  return Buffer.from(view.buffer).toString("base64");
}
