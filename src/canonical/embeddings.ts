/** Embeddings in dialect-neutral form (OpenAI today; Gemini and Bedrock later). */
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
