import type { JsonObject } from "../canonical/validate.js";
import type { ResolvedModel, ResolvedProvider } from "../config/index.js";
import type { CallCredential } from "../credentials/call-credential.js";
import type { KeyShapeCheck } from "../credentials/key-input.js";
import type { ProviderDialect } from "../dialects/dialect.js";
import type { OpenAIChatSettings } from "../dialects/openai/openai-chat-request-build.js";
import type { Feature } from "../routing/feature.js";
import type { Framing } from "../upstream/framing/index.js";
import type { AttemptSigner } from "../upstream/types.js";

/** The wire dialect an upstream speaks; same as the client's means pass-through. */
export type UpstreamDialect = ProviderDialect;

export type { Framing } from "../upstream/framing/index.js";

/** What an upstream speaks on the wire (DESIGN §9: wire = dialect + framing). */
export interface Wire {
  dialect: UpstreamDialect;
  framing: Framing;
}

/** The wire of a provider that speaks one dialect over server-sent events whatever the model. */
export function sseWire(dialect: UpstreamDialect): () => Wire {
  const wire: Wire = Object.freeze({ dialect, framing: "sse" });
  return () => wire;
}

/**
 * The embeddings API a model is reached through: an OpenAI-family `/embeddings` (the client's body passed
 * through), or a vendor's own, which the gateway translates into (src/proxy/embeddings-codecs.ts).
 */
export type EmbeddingsApi = "openai" | "gemini" | "vertex" | "bedrock-titan" | "bedrock-cohere" | "cody";

/** What a request asks the upstream to do. */
export type Operation = "chat" | "completions" | "embeddings" | "countTokens" | "responses";

/** One upstream call being prepared: who, what, with which credential. */
export interface ProviderCall {
  provider: ResolvedProvider;
  model: ResolvedModel;
  operation: Operation;
  stream: boolean;
  /** What to authenticate with, as the key policy chose it (central, ambient or the caller's own key). */
  credential: CallCredential;
  /**
   * The Anthropic betas an Anthropic client asked for (`anthropic-beta`), for providers that take them in the body
   * (Bedrock's `anthropic_beta`); Anthropic itself gets the header.
   */
  anthropicBetas?: readonly string[];
  /** The request's feature, for upstreams that meter by it (Cody Gateway's `X-Sourcegraph-Feature`). */
  feature?: Feature;
  /** The gateway's request id, for upstreams that are gateways too (ids join across hops). */
  requestId?: string;
}

export interface UpstreamEndpoint {
  url: string;
  headers: Record<string, string>;
  /** Signs each attempt (SigV4, OAuth); static keys travel in `headers` instead. */
  sign?: AttemptSigner;
}

/** Where and how to send one call; `secrets` are scrubbed from any error text. */
export interface UpstreamTarget {
  endpoints: UpstreamEndpoint[];
  secrets: string[];
}

/**
 * A provider type: a small core every provider has, plus optional hooks. Adding a provider is a
 * folder with one of these and a line in the registry.
 */
export interface ProviderDefinition {
  /** The dialect and framing this provider speaks for a model (Bedrock: Anthropic models over InvokeModel, others over Converse). */
  wire(provider: ResolvedProvider, model: ResolvedModel): Wire;
  operations: ReadonlySet<Operation>;
  /**
   * Whether `/v1/completions` goes to this model through a legacy completions API (the client's body passed
   * through), for providers where that depends on the model (Cody Gateway: only its Fireworks route takes a
   * prompt). Without it, a provider with the `completions` operation does.
   */
  legacyCompletions?(provider: ResolvedProvider, model: ResolvedModel): boolean;
  /**
   * For providers serving `embeddings` through another API than their wire dialect's: the model's embeddings
   * API, undefined when it does not embed. Without it, a provider whose wire is `openai` passes through.
   */
  embeddingsApi?(provider: ResolvedProvider, model: ResolvedModel): EmbeddingsApi | undefined;
  /** The URL(s) and headers (auth included) for one call. */
  target(call: ProviderCall): UpstreamTarget;
  /** The name the upstream knows the model by. */
  upstreamModel?(call: ProviderCall): string;
  /** How canonical requests are written for this vendor's flavour of the OpenAI dialect. */
  openaiChatSettings?: Omit<OpenAIChatSettings, "model">;
  /**
   * The provider reads an Anthropic client's `anthropic-version` and `anthropic-beta` headers (Anthropic, Vertex);
   * Bedrock takes them in the body instead.
   */
  anthropicHeaders?: boolean;
  /** A vendor's check of a key's shape before it is stored (src/credentials/key-input.ts). */
  checkKey?: KeyShapeCheck;
  /** Last changes to the outgoing body on both paths (vendor parameters, fields the vendor rejects). */
  finalizeBody?(body: JsonObject, call: ProviderCall): void;
}

/** The model name sent upstream: `serverSideConfig.openaicompatible.apiModel` when set (Cody), else `modelName`. */
export function defaultUpstreamModel(call: ProviderCall): string {
  const config = call.model.serverSideConfig;
  if (config?.type === "openaicompatible" && config.apiModel) return config.apiModel;
  return call.model.modelName;
}
