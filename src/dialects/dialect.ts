/** The API dialects Tollgate speaks: with clients (ingress) and with providers (upstream wire). */
export type Dialect = "openai" | "anthropic";
