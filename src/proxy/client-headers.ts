import type { UpstreamEndpoint } from "../providers/types.js";
import type { ClientDialect } from "./prepare.js";

/**
 * Client headers that belong to the dialect and travel with a same-dialect request: Anthropic's
 * `anthropic-beta` switches features (Claude Code relies on it). Nothing else of the client's
 * reaches the provider; its credentials never do.
 */
export function withClientHeaders(
  endpoints: UpstreamEndpoint[],
  clientDialect: ClientDialect,
  upstreamDialect: ClientDialect,
  headers: Record<string, string | string[] | undefined>,
): UpstreamEndpoint[] {
  if (clientDialect !== "anthropic" || upstreamDialect !== "anthropic") return endpoints;
  const beta = headers["anthropic-beta"];
  if (beta === undefined) return endpoints;
  const value = Array.isArray(beta) ? beta.join(",") : beta;
  return endpoints.map((endpoint) => ({
    url: endpoint.url,
    headers: { ...endpoint.headers, "anthropic-beta": value },
  }));
}
