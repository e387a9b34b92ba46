import type { CallCredential } from "../credentials/call-credential.js";
import type {
  ProviderCall,
  ProviderDefinition,
  UpstreamEndpoint,
  UpstreamTarget,
} from "../providers/types.js";
import { scrubSecrets } from "../upstream/index.js";

/** How a call proves who it is upstream (DESIGN §9, the auth axis), read from the provider's own target. */
export type AuthScheme =
  | "header-key"
  | "bearer"
  | "query-key"
  | "aws-sigv4"
  | "google-oauth"
  | "signed"
  | "none";

export interface EndpointAuth {
  scheme: AuthScheme;
  /** The headers that carry the key (never their values). */
  headers?: string[];
  /** The query parameter that carries the key. */
  query?: string;
}

export interface EndpointView {
  /** Where a non-streaming call goes, keys scrubbed. */
  url: string;
  /** Where a streaming call goes, when that differs (Gemini, Vertex, Bedrock name the stream in the path). */
  streamUrl?: string;
  /** The names of the headers the gateway adds; values are never shown. */
  headers: string[];
  auth: EndpointAuth;
}

/** A signer's scheme follows from the credential it was built from. */
function signedScheme(credential: CallCredential): AuthScheme {
  if (credential.mode.startsWith("aws-")) return "aws-sigv4";
  if (credential.mode.startsWith("google-")) return "google-oauth";
  return "signed";
}

function authOf(
  endpoint: UpstreamEndpoint,
  secrets: readonly string[],
  credential: CallCredential,
): EndpointAuth {
  if (endpoint.sign) return { scheme: signedScheme(credential) };
  const carries = (value: string) => secrets.some((secret) => value.includes(secret));
  const keyed = Object.entries(endpoint.headers).filter(([, value]) => carries(value));
  if (keyed.length === 1 && keyed[0]![0] === "authorization" && keyed[0]![1].startsWith("Bearer ")) {
    return { scheme: "bearer", headers: ["authorization"] };
  }
  if (keyed.length > 0) return { scheme: "header-key", headers: keyed.map(([name]) => name) };
  const query = [...new URL(endpoint.url).searchParams].find(([, value]) => carries(value));
  return query ? { scheme: "query-key", query: query[0] } : { scheme: "none" };
}

/** A URL safe to show: no user info, and no key in its query or path. */
function scrubbedUrl(url: string, secrets: readonly string[]): string {
  const parsed = new URL(url);
  if (parsed.username || parsed.password) {
    parsed.username = "";
    parsed.password = "";
    url = parsed.toString();
  }
  return scrubSecrets(url, secrets);
}

/**
 * Where a call would go and how it would authenticate, from the provider's own `target()` (which may throw the
 * GatewayError a request would get, such as unusable Google credentials). Chat-like calls are described for
 * both a plain and a streaming request; embeddings never stream.
 */
export function explainEndpoints(
  definition: ProviderDefinition,
  call: Omit<ProviderCall, "stream">,
): EndpointView[] {
  const target = definition.target({ ...call, stream: false });
  const streaming =
    call.operation === "embeddings" ? undefined : definition.target({ ...call, stream: true });
  return describeTarget(target, call.credential, streaming);
}

/**
 * The endpoints of one call as `explain` shows them: URLs, header names and the auth scheme, never a key. The
 * streaming target, when given, adds each endpoint's stream URL where it differs.
 */
export function describeTarget(
  target: UpstreamTarget,
  credential: CallCredential,
  streaming?: UpstreamTarget,
): EndpointView[] {
  const secrets = target.secrets.filter((secret) => secret.length > 0);
  return target.endpoints.map((endpoint, index) => {
    const url = scrubbedUrl(endpoint.url, secrets);
    const stream = streaming?.endpoints[index];
    const streamUrl = stream ? scrubbedUrl(stream.url, secrets) : url;
    return {
      url,
      ...(streamUrl === url ? {} : { streamUrl }),
      headers: Object.keys(endpoint.headers).sort(),
      auth: authOf(endpoint, secrets, credential),
    };
  });
}
