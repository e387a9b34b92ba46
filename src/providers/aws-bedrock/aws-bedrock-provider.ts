/**
 * AWS Bedrock Runtime: Anthropic models through InvokeModel (Anthropic's own dialect in AWS event-stream frames),
 * every other model through Converse; embedding models (Titan, Cohere Embed) through InvokeModel in their own
 * formats (src/dialects/bedrock-embeddings/). Credentials per DESIGN §8: `AKID:SECRET[:SESSION]` signs with
 * SigV4, a Bedrock API key is a bearer token, nothing means the ambient AWS chain.
 */
import type { ResolvedModel, ResolvedProvider } from "../../config/index.js";
import {
  bedrockModelPath,
  bedrockRuntimeUrl,
  createSigV4Signer,
  parseBedrockAccessToken,
} from "../../credentials/aws-sigv4.js";
import type { CallCredential } from "../../credentials/call-credential.js";
import type { AttemptSigner } from "../../credentials/signer.js";
import { SignerCache } from "../../credentials/signer-cache.js";
import type { EmbeddingsApi, ProviderCall, ProviderDefinition, UpstreamTarget, Wire } from "../types.js";

const invokeWire: Wire = Object.freeze({ dialect: "anthropic", framing: "aws-invoke-stream" });
const converseWire: Wire = Object.freeze({ dialect: "bedrock-converse", framing: "aws-event-stream" });

/** Anthropic's API version on Bedrock, sent in the body (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html). */
const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";

/** Anthropic models (`anthropic.claude-…`, inference profiles such as `us.anthropic.claude-…`) speak their own dialect. */
function usesInvoke(model: ResolvedModel): boolean {
  const config = model.serverSideConfig;
  if (config?.type === "awsBedrock" && config.api !== undefined) return config.api === "invoke";
  return /(^|\.)anthropic\./.test(model.modelName);
}

function latencyOptimized(model: ResolvedModel): boolean {
  const config = model.serverSideConfig;
  return config?.type === "awsBedrock" && config.latencyOptimization === "optimized";
}

function bedrockConfig(provider: ResolvedProvider) {
  const config = provider.serverConfig;
  if (config.type !== "awsBedrock") throw new Error(`provider ${provider.id} is not an AWS Bedrock provider`);
  return config;
}

/** One SigV4 signer per provider, region and credentials: the ambient chain's credentials survive reloads. */
const signers = new SignerCache();

/**
 * The signer of each call credential (one object per provider, caller and key): the request path finds it
 * without hashing the credentials again.
 */
const current = new WeakMap<CallCredential, AttemptSigner>();

function sigv4For(call: ProviderCall, region: string): AttemptSigner {
  let signer = current.get(call.credential);
  if (!signer) {
    signer = cachedSigner(call, region);
    current.set(call.credential, signer);
  }
  return signer;
}

function cachedSigner(call: ProviderCall, region: string): AttemptSigner {
  const credential = call.credential.key?.reveal();
  const create = () => {
    const parsed = parseBedrockAccessToken(credential);
    return createSigV4Signer({
      region,
      credentials:
        parsed.kind === "sigv4-static"
          ? {
              kind: "static",
              accessKeyId: parsed.accessKeyId,
              secretAccessKey: parsed.secretAccessKey,
              ...(parsed.sessionToken ? { sessionToken: parsed.sessionToken } : {}),
            }
          : { kind: "ambient" },
    });
  };
  // A caller's signer lives as long as their credential object (the resolver drops it when the key changes);
  // central ones are kept across reloads by the cache, with the ambient chain's credentials.
  return call.credential.origin === "user"
    ? create()
    : signers.get([call.provider.id, region, credential], create);
}

/** Bedrock's embedding models, reached through InvokeModel in their vendor's format (by id, as `usesInvoke`). */
function embeddingsApiOf(model: ResolvedModel): EmbeddingsApi | undefined {
  if (/(^|\.)amazon\.titan-embed-text-/.test(model.modelName)) return "bedrock-titan";
  if (/(^|\.)cohere\.embed-/.test(model.modelName)) return "bedrock-cohere";
  return undefined;
}

export const awsBedrockProvider: ProviderDefinition = {
  wire: (_provider, model) => (usesInvoke(model) ? invokeWire : converseWire),
  operations: new Set(["chat", "embeddings"]),
  embeddingsApi: (_provider, model) => embeddingsApiOf(model),
  target(call): UpstreamTarget {
    const config = bedrockConfig(call.provider);
    const region = call.credential.region ?? call.provider.region ?? "us-east-1";
    // An `endpoint` URL (a VPC endpoint) replaces the runtime host; a bare region code is only a region.
    const endpoint = config.endpoint && /^https?:\/\//.test(config.endpoint) ? config.endpoint : undefined;
    const modelConfig = call.model.serverSideConfig;
    // A provisioned-throughput ARN replaces the model id in the path, as one encoded segment.
    const modelId =
      modelConfig?.type === "awsBedrockProvisionedThroughput" ? modelConfig.arn : call.model.modelName;
    const embeddings = call.operation === "embeddings";
    const invoke = embeddings || usesInvoke(call.model);
    const operation = invoke
      ? call.stream
        ? "invoke-with-response-stream"
        : "invoke"
      : call.stream
        ? "converse-stream"
        : "converse";
    const url = bedrockRuntimeUrl(region, endpoint) + bedrockModelPath(modelId, operation);
    const headers: Record<string, string> = {};
    // Converse takes it in the body (performanceConfig); InvokeModel in a header.
    if (invoke && !embeddings && latencyOptimized(call.model))
      headers["x-amzn-bedrock-performanceconfig-latency"] = "optimized";
    const credential = call.credential.key?.reveal();
    if (call.credential.mode === "aws-bearer" && credential) {
      headers.authorization = `Bearer ${credential}`;
      return { endpoints: [{ url, headers }], secrets: [credential] };
    }
    return {
      endpoints: [{ url, headers, sign: sigv4For(call, region) }],
      secrets: credential ? credential.split(":").filter((part) => part.length > 0) : [],
    };
  },
  upstreamModel: (call) => call.model.modelName,
  finalizeBody(body, call) {
    if (!usesInvoke(call.model)) return;
    // InvokeModel names the model in the path and streams by endpoint, not by body fields.
    delete body.model;
    delete body.stream;
    body.anthropic_version = BEDROCK_ANTHROPIC_VERSION;
    // Bedrock reads Anthropic's betas from the body, not from a header.
    if (call.anthropicBetas && call.anthropicBetas.length > 0 && body.anthropic_beta === undefined)
      body.anthropic_beta = [...call.anthropicBetas];
  },
};
