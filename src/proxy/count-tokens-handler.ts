import type { JsonObject } from "../canonical/validate.js";
import { anthropicCountTokensToCanonicalRequest } from "../dialects/anthropic/anthropic-request-parse.js";
import { defaultUpstreamModel, type ProviderCall } from "../providers/types.js";
import { estimateInputTokens } from "./estimate.js";
import type { Exchange } from "./exchange.js";
import { parsedOrThrow, route } from "./prepare.js";
import type { ProxyDeps } from "./proxy-deps.js";
import { requiredCapability } from "./resolve-model.js";
import { sendWhole } from "./upstream-call.js";

/**
 * `POST /v1/messages/count_tokens`: Anthropic upstreams count exactly; for other providers the
 * gateway answers with its own estimate and says so in `x-tollgate-estimate`.
 */
export async function handleCountTokens(deps: ProxyDeps, exchange: Exchange): Promise<void> {
  const body = exchange.body as JsonObject;
  const { request: parsed } = parsedOrThrow(anthropicCountTokensToCanonicalRequest(body));
  const routed = route(deps, parsed, "chat", requiredCapability.countTokens, exchange);
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
  const upstreamBody = JSON.stringify({
    ...body,
    model: routed.definition.upstreamModel?.(call) ?? defaultUpstreamModel(call),
  });
  const { status, text } = await sendWhole(deps, exchange, routed, "anthropic", target, upstreamBody);
  exchange.sendJson(status, text);
}
