/**
 * AWS Signature Version 4 for Bedrock (wire-formats.md §6.2), and how a Bedrock provider's config becomes
 * credentials, a region and a base URL (DESIGN §8, coder-agents.md "AWS Bedrock credential modes").
 *
 * The path rule. A Bedrock model id is ONE path segment, percent-encoded on the wire
 * (`bedrockModelPath`): a provisioned-throughput ARN goes out as
 * `/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Aprovisioned-model%2Fabc/invoke`. SigV4 for every
 * service but S3 canonicalises the path by URI-encoding each segment of that wire path once more, so the
 * canonical request holds `/model/arn%253Aaws%253Abedrock…%252Fabc/invoke` (`%` → `%25`; the `/` between
 * segments stays). The signer therefore signs `url.pathname` exactly as it will be sent (WHATWG `URL` keeps
 * percent-escapes as written) and lets @smithy/signature-v4 (`uriEscapePath: true`) do the second encoding.
 * Decoding the path before signing, or signing a raw `:`/`/` id, gives Bedrock's 403 InvalidSignatureException
 * only for ids with `:` or ARNs. test/mock-upstream/sigv4-verifier.ts checks this independently.
 */
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { GatewayError } from "../errors/index.js";
import { KeyedSha256 } from "./keyed-sha256.js";
import { type AttemptSigner, abortable } from "./signer.js";

/** Where SigV4 keys come from: written in config, or the AWS SDK's chain on the gateway's host. */
export type AwsCredentialSource =
  | { kind: "static"; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: "ambient"; profile?: string };

export interface SigV4SignerOptions {
  region: string;
  /** The SigV4 service name: `bedrock` for Bedrock Runtime (not `bedrock-runtime`). */
  service?: string;
  credentials: AwsCredentialSource;
}

/**
 * The ambient chain (env, shared config/credentials files, SSO, credential_process, web identity, ECS/EC2
 * roles). `fromNodeProviderChain` memoizes: one fetch shared by concurrent callers, cached until five
 * minutes before `expiration`, then refreshed in the background while the current keys keep signing.
 */
function credentialProvider(
  source: AwsCredentialSource,
): AwsCredentialIdentityProvider | AwsCredentialIdentity {
  if (source.kind === "ambient") {
    return fromNodeProviderChain(source.profile === undefined ? {} : { profile: source.profile });
  }
  return {
    accessKeyId: source.accessKeyId,
    secretAccessKey: source.secretAccessKey,
    ...(source.sessionToken ? { sessionToken: source.sessionToken } : {}),
  };
}

/** The ambient chain found nothing usable (or its source failed): the gateway cannot authenticate upstream. */
function credentialsFailure(error: unknown, source: AwsCredentialSource): GatewayError {
  const message = error instanceof Error ? error.message : String(error);
  const profile = source.kind === "ambient" && source.profile ? ` (profile ${source.profile})` : "";
  return new GatewayError(
    "upstream_auth_failed",
    `AWS credentials could not be loaded${profile}: ${message}`,
  );
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const previous = query[key];
    query[key] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return query;
}

/**
 * Signs each attempt with SigV4 over its method, host, path (double-encoded, see above), query, headers
 * and body hash. Returns the headers to add: `authorization`, `x-amz-date`, `x-amz-content-sha256` and,
 * with session credentials, `x-amz-security-token`. `host` is signed as `url.host`, which is what the HTTP
 * client sends; every header given is signed (bar the ones SigV4 never signs, such as `user-agent`), so
 * they must go out unchanged.
 */
export function createSigV4Signer(options: SigV4SignerOptions): AttemptSigner {
  const signer = new SignatureV4({
    service: options.service ?? "bedrock",
    region: options.region,
    credentials: credentialProvider(options.credentials),
    sha256: KeyedSha256,
    uriEscapePath: true,
    applyChecksum: true,
  });
  return async (request, signal) => {
    const { url } = request;
    const headers: Record<string, string> = { ...request.headers };
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "host")) headers.host = url.host;
    const signed = await abortable(
      signer
        .sign({
          method: request.method.toUpperCase(),
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: url.pathname,
          query: queryOf(url),
          headers,
          body: request.body,
        })
        .catch((error: unknown) => {
          throw credentialsFailure(error, options.credentials);
        }),
      signal,
    );
    const added: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) {
      if (headers[name] !== value) added[name] = value;
    }
    return added;
  };
}

/** Bedrock's operations, each `POST /model/{modelId}/{operation}`. */
export type BedrockOperation =
  | "invoke"
  | "invoke-with-response-stream"
  | "converse"
  | "converse-stream"
  | "count-tokens";

/**
 * The request path for a model id, inference-profile id or ARN: the id as one percent-encoded segment.
 * An id given already encoded is decoded first, so it is not encoded twice on the wire.
 */
export function bedrockModelPath(modelId: string, operation: BedrockOperation): string {
  let id = modelId;
  try {
    id = decodeURIComponent(modelId);
  } catch {}
  return `/model/${encodeURIComponent(id)}/${operation}`;
}

/** What a Bedrock provider's `accessToken` means (DESIGN §8). */
export type BedrockAccessToken =
  | { kind: "sigv4-static"; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: "bearer"; token: string }
  | { kind: "ambient" }
  | { kind: "invalid"; reason: string };

const EXPECTED =
  "expected `ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]`, a Bedrock API key (no `:`), or empty for the AWS credential chain";

/**
 * Two or three `:`-separated parts are static SigV4 keys; a non-empty value without `:` is a Bedrock API
 * key (sent as a bearer); empty or absent is the ambient chain. A reason never quotes the value, only a
 * `<…>` placeholder when one is left in (Cody's example config ships `<ACCESS_KEY_ID>:<SECRET_ACCESS_KEY>`).
 */
export function parseBedrockAccessToken(value: string | undefined): BedrockAccessToken {
  const token = value?.trim() ?? "";
  if (token === "") return { kind: "ambient" };
  const placeholder = /<[^<>]{0,40}>/.exec(token)?.[0];
  if (placeholder)
    return { kind: "invalid", reason: `accessToken holds the placeholder ${placeholder}: ${EXPECTED}` };
  if (/\s/.test(token)) return { kind: "invalid", reason: `accessToken contains whitespace: ${EXPECTED}` };
  const parts = token.split(":");
  if (parts.length === 1) return { kind: "bearer", token };
  if (parts.length > 3)
    return { kind: "invalid", reason: `accessToken has ${parts.length} \`:\`-separated parts: ${EXPECTED}` };
  if (parts.some((part) => part === ""))
    return { kind: "invalid", reason: `accessToken has an empty part: ${EXPECTED}` };
  const [accessKeyId, secretAccessKey, sessionToken] = parts as [string, string, string | undefined];
  return sessionToken === undefined
    ? { kind: "sigv4-static", accessKeyId, secretAccessKey }
    : { kind: "sigv4-static", accessKeyId, secretAccessKey, sessionToken };
}

/** `us-west-2`, `eu-central-1`, `us-gov-west-1`, `ap-southeast-4`. */
const REGION_CODE = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const RUNTIME_HOST =
  /(?:^|\.)bedrock-runtime(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:vpce\.)?amazonaws\.com$/;

export type BedrockRegion = { ok: true; region: string } | { ok: false; reason: string };

/**
 * The region to sign for and build the URL with: `region`, else `endpoint` when it is a bare region code
 * (Cody treats a scheme-less endpoint as a region), else the region in a Bedrock endpoint URL's host
 * (`bedrock-runtime.<region>.amazonaws.com`, `vpce-….bedrock-runtime.<region>.vpce.amazonaws.com`), else
 * `AWS_REGION` / `AWS_DEFAULT_REGION`. Bearer keys fall back to `us-east-1`; SigV4 keys and the ambient
 * chain have no default, since a guessed region signs for the wrong endpoint.
 */
export function bedrockRegion(
  config: { region?: string | undefined; endpoint?: string | undefined },
  auth: "sigv4-static" | "bearer" | "ambient",
  env: Readonly<Record<string, string | undefined>> = process.env,
): BedrockRegion {
  const region = config.region?.trim();
  if (region) return { ok: true, region };
  const endpoint = config.endpoint?.trim() ?? "";
  if (REGION_CODE.test(endpoint)) return { ok: true, region: endpoint };
  if (endpoint.includes("://")) {
    let host = "";
    try {
      host = new URL(endpoint).hostname;
    } catch {}
    const fromHost = RUNTIME_HOST.exec(host)?.[1];
    if (fromHost) return { ok: true, region: fromHost };
  }
  const fromEnv = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (fromEnv) return { ok: true, region: fromEnv };
  if (auth === "bearer") return { ok: true, region: "us-east-1" };
  const credentials = auth === "ambient" ? "the AWS credential chain" : "SigV4 access keys";
  return {
    ok: false,
    reason: `AWS Bedrock with ${credentials} needs a region: set \`region\` in the provider's serverSideConfig (or a region code such as \`us-west-2\` as \`endpoint\`), or AWS_REGION in the gateway's environment`,
  };
}

/**
 * The Bedrock Runtime base URL: `endpoint` when it is a URL (a VPC or custom endpoint, used as written,
 * without trailing slashes), else `https://bedrock-runtime.<region>.amazonaws.com`.
 */
export function bedrockRuntimeUrl(region: string, endpoint?: string): string {
  const value = endpoint?.trim() ?? "";
  if (value.includes("://")) {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new Error(`a Bedrock endpoint must be an http(s) URL, not ${url.protocol}`);
    }
    return value.replace(/\/+$/, "");
  }
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}
