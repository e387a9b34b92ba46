/**
 * Features are what a request is for; limits and default models are kept per feature.
 * Cody's three defaults plus embeddings.
 */
export const features = ["chat", "fastChat", "codeCompletion", "embeddings"] as const;
export type Feature = (typeof features)[number];

/** The header a client sets to use another feature's default model and limits. */
export const featureHeader = "x-tollgate-feature";

const selectable = new Set<string>(["chat", "fastChat", "codeCompletion"]);

/**
 * The feature of a request: the route's own, unless the client picked another one of
 * the chat-like features with `X-Tollgate-Feature`. Returns an error text for a bad value.
 */
export function requestFeature(
  routeFeature: Feature,
  header: string | string[] | undefined,
): Feature | { error: string } {
  if (header === undefined) return routeFeature;
  const value = Array.isArray(header) ? header[0] : header;
  if (value && selectable.has(value) && routeFeature !== "embeddings") return value as Feature;
  return { error: `header ${featureHeader} must be one of chat, fastChat, codeCompletion; got \`${value}\`` };
}
