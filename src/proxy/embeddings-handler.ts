import type {
  CanonicalEmbedding,
  CanonicalEmbeddingRequest,
  CanonicalEmbeddingResponse,
} from "../canonical/embeddings.js";
import type { TranslationWarning } from "../canonical/errors.js";
import { emptyUsage } from "../canonical/usage.js";
import type { JsonObject } from "../canonical/validate.js";
import {
  canonicalToOpenAIEmbeddingsResponse,
  openaiEmbeddingsResponseToCanonical,
  openaiEmbeddingsToCanonicalRequest,
} from "../dialects/openai/openai-embeddings.js";
import { readOpenAIUsage } from "../dialects/openai/openai-usage-tap.js";
import { GatewayError } from "../errors/index.js";
import {
  defaultUpstreamModel,
  type EmbeddingsApi,
  type ProviderCall,
  type UpstreamTarget,
} from "../providers/types.js";
import { withClientHeaders } from "./client-headers.js";
import { type EmbeddingsCodec, embeddingsCodecs } from "./embeddings-codecs.js";
import type { Exchange } from "./exchange.js";
import { inParallel } from "./in-parallel.js";
import { endpointOf } from "./outcome.js";
import { fieldError, parsedOrThrow, type Routed, route, timeoutsFor } from "./prepare.js";
import { providerFailureCode } from "./provider-failure.js";
import type { ProxyDeps } from "./proxy-deps.js";
import { requiredCapability } from "./resolve-model.js";
import { sendWhole, UpstreamCall } from "./upstream-call.js";
import { warningHeader } from "./warnings.js";

/**
 * Upstream calls one request may fan out to, and how many run at once. Only models that embed one input per
 * call (Titan, gemini-embedding-001 on Vertex) come near it: they take at most this many inputs.
 */
const maxUpstreamCalls = 256;
const concurrentCalls = 4;

/** The client's side of an embeddings request: OpenAI's API, or Cody Gateway's (src/ingress/cody/cody-embeddings-handler.ts). */
export interface EmbeddingsClient {
  /**
   * The body for an OpenAI-family upstream, whose answer is then read and given to `answer`; absent, the client's
   * own body goes with only the model replaced, and the answer is relayed as it came (OpenAI clients).
   */
  openaiBody?(request: CanonicalEmbeddingRequest, model: string): JsonObject;
  answer(response: CanonicalEmbeddingResponse, exchange: Exchange): void;
}

const openaiClient: EmbeddingsClient = {
  answer: (response, exchange) => exchange.sendJson(200, canonicalToOpenAIEmbeddingsResponse(response)),
};

/**
 * `POST /v1/embeddings`: validated, then passed through as it came to an OpenAI-family `/embeddings`, or
 * translated for a vendor's embeddings API (Gemini, Vertex, Bedrock Titan and Cohere: embeddings-codecs.ts).
 */
export function handleEmbeddings(deps: ProxyDeps, exchange: Exchange): Promise<void> {
  const { request: parsed } = parsedOrThrow(openaiEmbeddingsToCanonicalRequest(exchange.body));
  return serveEmbeddings(deps, exchange, parsed, openaiClient);
}

/** An embeddings request, parsed, to the model it names and back in the client's shape. */
export async function serveEmbeddings(
  deps: ProxyDeps,
  exchange: Exchange,
  parsed: CanonicalEmbeddingRequest,
  client: EmbeddingsClient,
): Promise<void> {
  const routed = route(deps, parsed, "embeddings", requiredCapability.embeddings, exchange);
  const api = embeddingsApi(routed);
  if (api === undefined) {
    throw new GatewayError(
      "capability_missing",
      `provider \`${routed.provider.id}\` does not serve embeddings`,
      { param: "model" },
    );
  }
  const call: ProviderCall = {
    provider: routed.provider,
    model: routed.model,
    operation: "embeddings",
    stream: false,
    credential: routed.credential,
    feature: routed.feature,
    requestId: routed.requestId,
  };
  const target = routed.definition.target(call);
  const model = routed.definition.upstreamModel?.(call) ?? defaultUpstreamModel(call);
  if (api === "openai") return passThrough(deps, exchange, routed, call, target, model, client);
  return translate(deps, exchange, routed, embeddingsCodecs[api], target, model, client);
}

function embeddingsApi(routed: Routed<CanonicalEmbeddingRequest>): EmbeddingsApi | undefined {
  const { definition } = routed;
  if (!definition.operations.has("embeddings")) return undefined;
  if (definition.embeddingsApi) return definition.embeddingsApi(routed.provider, routed.model);
  return routed.wire.dialect === "openai" ? "openai" : undefined;
}

async function admit(
  deps: ProxyDeps,
  exchange: Exchange,
  routed: Routed<CanonicalEmbeddingRequest>,
): Promise<void> {
  const estimatedInputTokens = estimateEmbeddingTokens(routed.parsed.input);
  exchange.outcome.estimate = { inputTokens: estimatedInputTokens, maxOutputTokens: 0 };
  const admitting = deps.admit?.({
    principal: exchange.principal,
    feature: routed.feature,
    model: routed.model,
    provider: routed.provider,
    estimatedInputTokens,
    maxOutputTokens: 0,
    setHeader: (name, value) => exchange.header(name, value),
  });
  exchange.admitted(admitting instanceof Promise ? await admitting : admitting);
}

/**
 * The client's body with the upstream's model name; the answer relayed byte for byte, usage read from it. A
 * client of another shape sends the body it builds, and its answer is read and written in its shape.
 */
async function passThrough(
  deps: ProxyDeps,
  exchange: Exchange,
  routed: Routed<CanonicalEmbeddingRequest>,
  call: ProviderCall,
  target: UpstreamTarget,
  model: string,
  client: EmbeddingsClient,
): Promise<void> {
  const upstreamBody: JsonObject = client.openaiBody
    ? client.openaiBody(routed.parsed, model)
    : { ...(exchange.body as JsonObject), model };
  routed.definition.finalizeBody?.(upstreamBody, call);
  await admit(deps, exchange, routed);
  if (exchange.ended) return;
  const { status, text } = await sendWhole(
    deps,
    exchange,
    routed,
    "openai",
    target,
    JSON.stringify(upstreamBody),
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError("upstream_error", `${routed.provider.id} answered with a body that is not JSON`);
  }
  exchange.outcome.usage = readOpenAIUsage(json);
  exchange.header("x-tollgate-model", routed.model.ref);
  if (!client.openaiBody) return exchange.sendJson(status, text);
  const read = openaiEmbeddingsResponseToCanonical(json, status);
  if (!read.ok || status >= 400) {
    const failure = read.ok ? { status, message: `HTTP ${status}` } : read.error;
    throw new GatewayError(
      failure.status >= 400 ? providerFailureCode(failure.status) : "upstream_error",
      `${routed.provider.id}: ${failure.message}`,
    );
  }
  client.answer(read.response, exchange);
}

/**
 * Canonical → the vendor's request, in slices of what one call takes (several calls, `concurrentCalls` at a
 * time, when the list is longer), and the answers back → one OpenAI embeddings answer. Usage is summed as the
 * answers arrive, so a request that fails midway still counts what the provider already embedded. Where the
 * provider counts no tokens (the Gemini API), the gateway's estimate stands in, marked `x-tollgate-estimate`.
 */
async function translate(
  deps: ProxyDeps,
  exchange: Exchange,
  routed: Routed<CanonicalEmbeddingRequest>,
  codec: EmbeddingsCodec,
  target: UpstreamTarget,
  model: string,
  client: EmbeddingsClient,
): Promise<void> {
  const request = routed.parsed;
  const perCall = codec.maxInputsPerCall(model);
  const slices: CanonicalEmbeddingRequest[] = [];
  for (let start = 0; start < request.input.length; start += perCall) {
    const input = request.input.slice(start, start + perCall) as CanonicalEmbeddingRequest["input"];
    slices.push({ ...request, input, single: false });
  }
  if (slices.length > maxUpstreamCalls) {
    const each = perCall === 1 ? "one input" : `at most ${perCall} inputs`;
    const most = maxUpstreamCalls * perCall;
    throw new GatewayError(
      "invalid_request",
      `input: model \`${routed.model.ref}\` embeds ${each} per upstream call, so at most ${most} inputs per request; got ${request.input.length}`,
      { param: "input" },
    );
  }
  let warnings: TranslationWarning[] = [];
  const bodies = slices.map((slice, index) => {
    const built = codec.buildRequest(slice, model);
    if (!built.ok) throw fieldError(built.error);
    if (index === 0) warnings = built.warnings;
    return JSON.stringify(built.body);
  });
  await admit(deps, exchange, routed);
  if (exchange.ended) return;
  const header = warningHeader(warnings);
  if (header) exchange.header("x-tollgate-warnings", header);

  const timeouts = timeoutsFor(routed.model, routed.provider);
  const upstream = new UpstreamCall(exchange, routed.provider.id, timeouts.totalMs, deps.observer);
  const endpoints = withClientHeaders(target.endpoints, "openai", false, exchange.headers);
  const usage = emptyUsage();
  let estimated = false;
  exchange.outcome.upstreamSent = true;
  exchange.outcome.endpointUrl = endpointOf(target.endpoints[0]?.url);
  const answers = await inParallel(bodies, concurrentCalls, async (body, index) => {
    let status: number;
    let text: string;
    let tokenHeader: string | string[] | undefined;
    try {
      const response = await deps.upstream.send(
        { providerName: routed.provider.id, endpoints, body },
        { signal: upstream.signal, secrets: target.secrets, ...timeouts },
      );
      status = response.status;
      if (codec.tokenHeader) tokenHeader = response.headers[codec.tokenHeader];
      upstream.answered();
      text = await response.text();
    } catch (error) {
      throw upstream.failure(error);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GatewayError("upstream_error", `${routed.provider.id} answered with a body that is not JSON`);
    }
    const slice = slices[index]!;
    const read = codec.fromUpstreamResponse(json, status, {
      model,
      encodingFormat: request.encodingFormat,
      inputTokenHeader: headerCount(tokenHeader),
    });
    if (!read.ok || read.response.data.length !== slice.input.length) {
      const why = read.ok
        ? `${read.response.data.length} embeddings for ${slice.input.length} inputs`
        : read.error.message;
      throw new GatewayError(
        "upstream_error",
        `${routed.provider.id} answered with an unexpected body: ${why}`,
      );
    }
    let tokens = read.response.inputTokens;
    if (tokens === 0) {
      tokens = estimateEmbeddingTokens(slice.input);
      estimated = true;
    }
    usage.inputTokens += tokens;
    // A call still running when another failed ends after the request: its outcome is final by then.
    if (!exchange.ended) exchange.outcome.usage = { ...usage };
    return read.response.data;
  });
  upstream.answered(true);

  const data: CanonicalEmbedding[] = [];
  answers.forEach((answer, index) => {
    const offset = index * perCall;
    for (const item of answer) data.push({ index: offset + item.index, embedding: item.embedding });
  });
  exchange.header("x-tollgate-model", routed.model.ref);
  if (estimated) exchange.header("x-tollgate-estimate", "true");
  client.answer({ model, data, inputTokens: usage.inputTokens }, exchange);
}

function headerCount(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : undefined;
}

/** About 4 characters a token for text inputs; token-id inputs count exactly. */
function estimateEmbeddingTokens(input: string[] | number[][]): number {
  let tokens = 0;
  for (const item of input) tokens += typeof item === "string" ? Math.ceil(item.length / 4) : item.length;
  return tokens;
}
