import type { JsonObject } from "../canonical/validate.js";
import { openaiEmbeddingsToCanonicalRequest } from "../dialects/openai/openai-embeddings.js";
import { readOpenAIUsage } from "../dialects/openai/openai-usage-tap.js";
import { GatewayError } from "../errors/index.js";
import { defaultUpstreamModel, type ProviderCall } from "../providers/types.js";
import type { Exchange } from "./exchange.js";
import { parsedOrThrow, route, timeoutsFor } from "./prepare.js";
import type { ProxyDeps, RequestOutcome } from "./proxy-deps.js";

/** `POST /v1/embeddings`: validated, then passed through to an OpenAI-family embeddings API. */
export async function handleEmbeddings(deps: ProxyDeps, exchange: Exchange): Promise<void> {
  const started = performance.now();
  const body = exchange.body as JsonObject;
  const { request: parsed } = parsedOrThrow(openaiEmbeddingsToCanonicalRequest(body));
  const routed = route(deps, parsed, "embeddings", "embeddings", exchange.headers);
  if (routed.definition.dialect !== "openai" || !routed.definition.operations.has("embeddings")) {
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
  };
  const target = routed.definition.target(call);
  const upstreamBody: JsonObject = {
    ...body,
    model: routed.definition.upstreamModel?.(call) ?? defaultUpstreamModel(call),
  };
  routed.definition.finalizeBody?.(upstreamBody, call);
  const ticket = await deps.admit?.({
    principal: exchange.principal,
    feature: routed.feature,
    model: routed.model,
    provider: routed.provider,
    estimatedInputTokens: estimateEmbeddingTokens(parsed.input),
    maxOutputTokens: 0,
    setHeader: (name, value) => exchange.header(name, value),
  });
  const abort = new AbortController();
  exchange.onClientGone(() => abort.abort());
  const outcome: RequestOutcome = {
    requestId: exchange.id,
    actorId: exchange.principal?.actorId,
    feature: routed.feature,
    modelRef: routed.model.ref,
    providerId: routed.provider.id,
    stream: false,
    status: 200,
    usage: undefined,
    durationMs: 0,
  };
  try {
    const response = await deps.upstream.send(
      { providerName: routed.provider.id, endpoints: target.endpoints, body: JSON.stringify(upstreamBody) },
      { signal: abort.signal, secrets: target.secrets, ...timeoutsFor(routed.model, routed.provider) },
    );
    const text = await response.text();
    try {
      outcome.usage = readOpenAIUsage(JSON.parse(text));
    } catch {
      throw new GatewayError("upstream_error", `${routed.provider.id} answered with a body that is not JSON`);
    }
    exchange.header("x-tollgate-model", routed.model.ref);
    exchange.sendJson(response.status, text);
  } catch (error) {
    outcome.status = abort.signal.aborted ? 499 : error instanceof GatewayError ? error.status : 502;
    throw error;
  } finally {
    outcome.durationMs = performance.now() - started;
    ticket?.finish(outcome);
    deps.onOutcome?.(outcome);
  }
}

/** About 4 characters a token for text inputs; token-id inputs count exactly. */
function estimateEmbeddingTokens(input: string[] | number[][]): number {
  let tokens = 0;
  for (const item of input) tokens += typeof item === "string" ? Math.ceil(item.length / 4) : item.length;
  return tokens;
}
