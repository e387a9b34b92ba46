import type { JsonObject } from "../canonical/validate.js";
import { openaiEmbeddingsToCanonicalRequest } from "../dialects/openai/openai-embeddings.js";
import { readOpenAIUsage } from "../dialects/openai/openai-usage-tap.js";
import { GatewayError } from "../errors/index.js";
import { defaultUpstreamModel, type ProviderCall } from "../providers/types.js";
import type { Exchange } from "./exchange.js";
import { parsedOrThrow, route } from "./prepare.js";
import type { ProxyDeps } from "./proxy-deps.js";
import { sendWhole } from "./upstream-call.js";

/** `POST /v1/embeddings`: validated, then passed through to an OpenAI-family embeddings API. */
export async function handleEmbeddings(deps: ProxyDeps, exchange: Exchange): Promise<void> {
  const body = exchange.body as JsonObject;
  const { request: parsed } = parsedOrThrow(openaiEmbeddingsToCanonicalRequest(body));
  const routed = route(deps, parsed, "embeddings", "embeddings", exchange);
  if (routed.wire.dialect !== "openai" || !routed.definition.operations.has("embeddings")) {
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
  const admitting = deps.admit?.({
    principal: exchange.principal,
    feature: routed.feature,
    model: routed.model,
    provider: routed.provider,
    estimatedInputTokens: estimateEmbeddingTokens(parsed.input),
    maxOutputTokens: 0,
    setHeader: (name, value) => exchange.header(name, value),
  });
  exchange.admitted(admitting instanceof Promise ? await admitting : admitting);
  if (exchange.ended) return;
  const { status, text } = await sendWhole(
    deps,
    exchange,
    routed,
    "openai",
    target,
    JSON.stringify(upstreamBody),
  );
  try {
    exchange.outcome.usage = readOpenAIUsage(JSON.parse(text));
  } catch {
    throw new GatewayError("upstream_error", `${routed.provider.id} answered with a body that is not JSON`);
  }
  exchange.header("x-tollgate-model", routed.model.ref);
  exchange.sendJson(status, text);
}

/** About 4 characters a token for text inputs; token-id inputs count exactly. */
function estimateEmbeddingTokens(input: string[] | number[][]): number {
  let tokens = 0;
  for (const item of input) tokens += typeof item === "string" ? Math.ceil(item.length / 4) : item.length;
  return tokens;
}
