import type { JsonObject } from "../canonical/validate.js";
import { anthropicCountTokensToCanonicalRequest } from "../dialects/anthropic/anthropic-request-parse.js";
import { defaultUpstreamModel, type ProviderCall } from "../providers/types.js";
import { withClientHeaders } from "./client-headers.js";
import { estimateInputTokens } from "./estimate.js";
import type { Exchange } from "./exchange.js";
import { parsedOrThrow, route, timeoutsFor } from "./prepare.js";
import type { ProxyDeps } from "./proxy-deps.js";
import { UpstreamCall } from "./upstream-call.js";

/**
 * `POST /v1/messages/count_tokens`: Anthropic upstreams count exactly; for other providers the
 * gateway answers with its own estimate and says so in `x-tollgate-estimate`.
 */
export async function handleCountTokens(deps: ProxyDeps, exchange: Exchange): Promise<void> {
  const body = exchange.body as JsonObject;
  const { request: parsed } = parsedOrThrow(anthropicCountTokensToCanonicalRequest(body));
  const routed = route(deps, parsed, "chat", "countTokens", exchange);
  exchange.header("x-tollgate-model", routed.model.ref);
  if (routed.wire.dialect !== "anthropic" || !routed.definition.operations.has("countTokens")) {
    exchange.header("x-tollgate-estimate", "true");
    exchange.sendJson(200, { input_tokens: estimateInputTokens(parsed) });
    return;
  }
  const call: ProviderCall = {
    provider: routed.provider,
    model: routed.model,
    operation: "countTokens",
    stream: false,
    credential: routed.credential,
  };
  const target = routed.definition.target(call);
  const timeouts = timeoutsFor(routed.model, routed.provider);
  const upstreamCall = new UpstreamCall(exchange, routed.provider.id, timeouts.totalMs);
  exchange.outcome.upstreamSent = true;
  let status: number;
  let text: string;
  try {
    const response = await deps.upstream.send(
      {
        providerName: routed.provider.id,
        endpoints: withClientHeaders(target.endpoints, "anthropic", true, exchange.headers),
        body: JSON.stringify({
          ...body,
          model: routed.definition.upstreamModel?.(call) ?? defaultUpstreamModel(call),
        }),
      },
      { signal: upstreamCall.signal, secrets: target.secrets, ...timeouts },
    );
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw upstreamCall.failure(error);
  }
  exchange.sendJson(status, text);
}
