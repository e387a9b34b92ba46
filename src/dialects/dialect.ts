/**
 * The API dialects Tollgate speaks with clients (ingress) and providers (upstream wire). `anthropic-legacy`
 * (Anthropic's Text Completions) and `gemini-generate` (Gemini's generateContent) are spoken to clients only,
 * on Cody Gateway's routes: always translated, never passed through (no provider speaks the first; the second's
 * client body carries Cody's `model` and `stream`, which Gemini refuses).
 */
export type Dialect = "openai" | "anthropic" | "openai-responses" | "anthropic-legacy" | "gemini-generate";

/**
 * The dialects providers answer in natively, which Tollgate translates into and from. The Responses API is
 * spoken to OpenAI and Azure only when the client speaks it too (a pass-through).
 */
export type ProviderDialect = "openai" | "anthropic" | "gemini" | "bedrock-converse";
