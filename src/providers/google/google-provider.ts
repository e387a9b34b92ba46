/**
 * Google: the Gemini API (API key), Gemini on Vertex AI and Anthropic on Vertex AI (OAuth). The endpoint decides
 * which (DESIGN §8, resolved in the catalogue as `googleApi`).
 */
import type { ResolvedProvider } from "../../config/index.js";
import type { CallCredential } from "../../credentials/call-credential.js";
import { createGoogleOAuthSigner, type GoogleCredentialSource } from "../../credentials/google-oauth.js";
import type { AttemptSigner } from "../../credentials/signer.js";
import { SignerCache } from "../../credentials/signer-cache.js";
import { GatewayError } from "../../errors/index.js";
import { type ProviderCall, type ProviderDefinition, sseWire, type UpstreamTarget } from "../types.js";

const geminiWire = sseWire("gemini");
const anthropicWire = sseWire("anthropic");

/** The Gemini API's public base; Cody writes it with `/v1beta/models`, which the catalogue strips. */
const GEMINI_API = "https://generativelanguage.googleapis.com";

/** Anthropic's API version on Vertex, sent in the body (https://docs.anthropic.com/en/api/claude-on-vertex-ai). */
const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

function googleConfig(call: ProviderCall) {
  const config = call.provider.serverConfig;
  if (config.type !== "google") throw new Error(`provider ${call.provider.id} is not a Google provider`);
  return config;
}

/** One OAuth signer per provider and credentials: its token cache survives configuration reloads. */
const signers = new SignerCache();

function credentialSource(call: ProviderCall): GoogleCredentialSource {
  const config = googleConfig(call);
  const key = call.credential.key;
  if (call.credential.mode === "google-service-account" && key) {
    const value = key.reveal().trim();
    // Cody's `accessToken` is the service account JSON in base64; the JSON itself is accepted too.
    const json = value.startsWith("{") ? value : Buffer.from(value, "base64").toString("utf8");
    return { kind: "service-account-json", json };
  }
  const workload = config.googleWorkloadIdentityConfig;
  if (call.credential.mode === "google-workload-identity" && workload) {
    return {
      kind: "workload-identity",
      ...(workload.credentialsFile ? { credentialsFile: workload.credentialsFile } : {}),
      ...(workload.credentialsJSON ? { credentialsJSON: workload.credentialsJSON.reveal() } : {}),
    };
  }
  return { kind: "adc" };
}

/**
 * The signer of each call credential (one object per provider, caller and key): the request path finds it
 * without rebuilding the cache key.
 */
const current = new WeakMap<CallCredential, AttemptSigner>();

function vertexSigner(call: ProviderCall): AttemptSigner {
  const known = current.get(call.credential);
  if (known) return known;
  let signer: AttemptSigner;
  try {
    const source = credentialSource(call);
    // A caller's signer lives as long as their credential object (the resolver drops it when the key changes);
    // central ones are kept across reloads by the cache, with their token.
    signer =
      call.credential.origin === "user"
        ? createGoogleOAuthSigner(source)
        : signers.get([call.provider.id, JSON.stringify(source)], () => createGoogleOAuthSigner(source));
  } catch (error) {
    // A key that is not a service account's JSON: the caller's to fix if it is theirs, else ours.
    if (call.credential.origin === "user") {
      throw new GatewayError(
        "no_usable_key",
        `your saved key for provider \`${call.provider.id}\` is not a usable service account: ${(error as Error).message}; save a new one with PUT /v1/me/keys/${call.provider.id}`,
      );
    }
    throw new GatewayError(
      "gateway_unavailable",
      `provider \`${call.provider.id}\` has unusable Google credentials: ${(error as Error).message}`,
    );
  }
  current.set(call.credential, signer);
  return signer;
}

/** `…/locations/L` or `…/publishers/P/models`: the models URL of a Vertex endpoint for a publisher. */
function vertexModels(endpoint: string, publisher: "google" | "anthropic"): string {
  const base = endpoint.replace(/\/+$/, "");
  if (/\/publishers\/[^/]+\/models$/.test(base)) return base;
  return `${base}/publishers/${publisher}/models`;
}

/** Vertex authenticates with a service account: a stored key must be its JSON, in base64 as Cody writes it. */
function checkVertexKey(provider: ResolvedProvider, key: string): string | undefined {
  if (provider.googleApi === "gemini") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(key, "base64").toString("utf8")) as Record<string, unknown>;
    if (typeof parsed.client_email === "string" && typeof parsed.private_key === "string") return undefined;
  } catch {}
  return "Vertex AI needs a service account key: its JSON file in base64 (`base64 -w0 key.json`)";
}

export const googleProvider: ProviderDefinition = {
  wire: (provider) => (provider.googleApi === "vertex-anthropic" ? anthropicWire() : geminiWire()),
  checkKey: checkVertexKey,
  anthropicHeaders: true,
  operations: new Set(["chat", "embeddings"]),
  // Gemini API: batchEmbedContents; Vertex: the publisher model's predict. Anthropic on Vertex does not embed.
  embeddingsApi: (provider) =>
    provider.googleApi === "gemini" ? "gemini" : provider.googleApi === "vertex" ? "vertex" : undefined,
  target(call): UpstreamTarget {
    const config = googleConfig(call);
    // Vertex names versions with `@` (`claude-sonnet-4-5@20250929`) and writes it literally in its URLs.
    const model = encodeURIComponent(call.model.modelName).replaceAll("%40", "@");
    const embeddings = call.operation === "embeddings";
    if (call.provider.googleApi === "gemini") {
      const base = (config.endpoint ?? GEMINI_API).replace(/\/+$/, "");
      const method = embeddings
        ? "batchEmbedContents"
        : call.stream
          ? "streamGenerateContent?alt=sse"
          : "generateContent";
      const key = call.credential.key?.reveal();
      return {
        endpoints: [
          { url: `${base}/v1beta/models/${model}:${method}`, headers: key ? { "x-goog-api-key": key } : {} },
        ],
        secrets: key ? [key] : [],
      };
    }
    const anthropic = call.provider.googleApi === "vertex-anthropic";
    const method = embeddings
      ? "predict"
      : anthropic
        ? call.stream
          ? "streamRawPredict"
          : "rawPredict"
        : call.stream
          ? "streamGenerateContent?alt=sse"
          : "generateContent";
    const url = `${vertexModels(config.endpoint ?? "", anthropic ? "anthropic" : "google")}/${model}:${method}`;
    const credential = call.credential.key?.reveal();
    return {
      endpoints: [{ url, headers: {}, sign: vertexSigner(call) }],
      secrets: credential ? [credential] : [],
    };
  },
  finalizeBody(body, call) {
    if (call.provider.googleApi !== "vertex-anthropic") return;
    // The model is in the URL; Vertex wants Anthropic's version in the body instead of a header.
    delete body.model;
    body.anthropic_version = VERTEX_ANTHROPIC_VERSION;
  },
};
