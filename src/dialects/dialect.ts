/** The API dialects Tollgate speaks with clients (ingress) and providers (upstream wire). */
export type Dialect = "openai" | "anthropic" | "openai-responses";

/**
 * The dialects providers answer in natively, which Tollgate translates into and from. The Responses API is
 * spoken to OpenAI and Azure only when the client speaks it too (a pass-through).
 */
export type ProviderDialect = "openai" | "anthropic" | "gemini" | "bedrock-converse";
