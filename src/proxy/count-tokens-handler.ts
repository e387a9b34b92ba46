import type { FastifyReply, FastifyRequest } from "fastify";
import type { JsonObject } from "../canonical/validate.js";
import { anthropicCountTokensToCanonicalRequest } from "../dialects/anthropic/anthropic-request-parse.js";
import { defaultUpstreamModel, type ProviderCall } from "../providers/types.js";
import { estimateInputTokens } from "./estimate.js";
import { parsedOrThrow, route, timeoutsFor } from "./prepare.js";
import type { ProxyDeps } from "./proxy-deps.js";

/**
 * `POST /v1/messages/count_tokens`: Anthropic upstreams count exactly; for other providers the
 * gateway answers with its own estimate and says so in `x-tollgate-estimate`.
 */
export async function handleCountTokens(deps: ProxyDeps, request: FastifyRequest, reply: FastifyReply) {
  const body = request.body as JsonObject;
  const { request: parsed } = parsedOrThrow(anthropicCountTokensToCanonicalRequest(body));
  const routed = route(deps, parsed, "chat", "countTokens", request.headers);
  reply.header("x-tollgate-model", routed.model.ref);
  if (routed.definition.dialect !== "anthropic" || !routed.definition.operations.has("countTokens")) {
    return reply.header("x-tollgate-estimate", "true").send({ input_tokens: estimateInputTokens(parsed) });
  }
  const call: ProviderCall = {
    provider: routed.provider,
    model: routed.model,
    operation: "countTokens",
    stream: false,
    credential: routed.credential,
  };
  const target = routed.definition.target(call);
  const abort = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const response = await deps.upstream.send(
    {
      providerName: routed.provider.id,
      endpoints: target.endpoints,
      body: JSON.stringify({
        ...body,
        model: routed.definition.upstreamModel?.(call) ?? defaultUpstreamModel(call),
      }),
    },
    { signal: abort.signal, secrets: target.secrets, ...timeoutsFor(routed.model, routed.provider) },
  );
  return reply
    .code(response.status)
    .type("application/json")
    .send(await response.text());
}
