/**
 * Cody's examples write provider endpoints as the full URL of the main API path
 * (`https://api.anthropic.com/v1/messages`); Tollgate stores base URLs, so these known suffixes are removed
 * (DESIGN §8). Longest first, so `/inference/v1/completions` wins over `/v1/completions`.
 */
const KNOWN_SUFFIXES = [
  "/inference/v1/chat/completions",
  "/inference/v1/completions",
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
  "/v1/messages",
  "/chat/completions",
  "/completions",
  "/v1beta/models",
  "/v1/models",
] as const;

/** OpenAI-compatible endpoint URLs are the base that `/chat/completions` is appended to (`…/v1`), per Cody. */
const OPENAI_COMPATIBLE_SUFFIXES = ["/chat/completions", "/completions", "/embeddings"] as const;

export type EndpointStyle = "typed" | "openai-compatible";

/**
 * Removes one known API-path suffix and trailing slashes; the rest of the URL is kept as written.
 * `typed` providers (anthropic, openai, fireworks, google, …) keep their origin plus any proxy prefix, without the
 * API version path: adapters add `/v1/messages` etc. `openai-compatible` URLs keep their `/v1`.
 */
export function normalizeEndpoint(endpoint: string, style: EndpointStyle = "typed"): string {
  let url = endpoint.trim().replace(/\/+$/, "");
  const suffixes = style === "typed" ? KNOWN_SUFFIXES : OPENAI_COMPATIBLE_SUFFIXES;
  for (const suffix of suffixes) {
    if (url.toLowerCase().endsWith(suffix)) {
      url = url.slice(0, -suffix.length);
      break;
    }
  }
  return url.replace(/\/+$/, "");
}

/** `<VPC Endpoint URL>`, `<ARN>`, `<ACCESS_KEY_ID>`: documentation placeholders pasted as values. */
const PLACEHOLDER = /<[A-Za-z][A-Za-z0-9 _-]*>/;

export function findPlaceholder(value: string): string | undefined {
  return PLACEHOLDER.exec(value)?.[0];
}
