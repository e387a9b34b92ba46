import { readFileSync } from "node:fs";
import type { Dialect } from "../dialects/dialect.js";
import type { UpstreamEndpoint } from "../providers/types.js";

/** Read once at start; the request path only concatenates. */
const version = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
/** The package version, for the user agent and the admin API's OpenAPI document. */
export const gatewayVersion = version;
const gatewayAgent = `tollgate/${version}`;

/**
 * Session headers: self-hosted routers (vLLM, SGLang, llm-d) send a session to the replica holding its prefix
 * cache by them. `session-id` is the Codex CLI's, `x-claude-code-session-id` Claude Code's.
 */
const affinityHeaders = [
  "x-session-affinity",
  "x-session-id",
  "session_id",
  "session-id",
  "x-claude-code-session-id",
] as const;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * The client headers that travel upstream (DESIGN §8): `user-agent` with Tollgate's appended, the
 * session-affinity headers, and, from an Anthropic client to an Anthropic-dialect upstream,
 * `anthropic-beta` (Claude Code switches features with it) and `anthropic-version`. Nothing else of the
 * client's reaches the provider; its credentials never do.
 */
export function withClientHeaders(
  endpoints: UpstreamEndpoint[],
  clientDialect: Dialect,
  /**
   * The upstream takes an Anthropic client's `anthropic-version`/`anthropic-beta` as headers: a pass-through to a
   * provider that reads them there (Anthropic, Vertex), not one that wants them in the body (Bedrock).
   */
  anthropicHeaders: boolean,
  headers: Record<string, string | string[] | undefined>,
): UpstreamEndpoint[] {
  const agent = single(headers["user-agent"]);
  const extra: Record<string, string> = { "user-agent": agent ? `${agent} ${gatewayAgent}` : gatewayAgent };
  for (const name of affinityHeaders) {
    const value = single(headers[name]);
    if (value !== undefined) extra[name] = value;
  }
  if (clientDialect === "anthropic" && anthropicHeaders) {
    const beta = single(headers["anthropic-beta"]);
    if (beta !== undefined) extra["anthropic-beta"] = beta;
    const anthropicVersion = single(headers["anthropic-version"]);
    if (anthropicVersion !== undefined) extra["anthropic-version"] = anthropicVersion;
  }
  return endpoints.map((endpoint) => ({
    ...endpoint,
    headers: endpoint.headers ? { ...endpoint.headers, ...extra } : extra,
  }));
}
