import type { ParseResult } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import type { JsonObject } from "../canonical/validate.js";
import { GatewayError } from "../errors/index.js";
import type { Feature } from "../routing/feature.js";
import { withClientHeaders } from "./client-headers.js";
import { estimateInputTokens } from "./estimate.js";
import type { Exchange } from "./exchange.js";
import { applyModelOptions, checkTokenLimits } from "./model-options.js";
import { type ClientDialect, parsedOrThrow, route, timeoutsFor } from "./prepare.js";
import type { ProxyDeps, RequestOutcome } from "./proxy-deps.js";
import { canonicalToClientResponse, readUsage, upstreamResponseToCanonical } from "./response-translation.js";
import { relayStream, type StreamResult } from "./stream-relay.js";
import { planGeneration } from "./upstream-plan.js";
import { warningHeader } from "./warnings.js";

/** One generation route: its dialect, what it does, and its parser. */
export interface GenerationRoute {
  dialect: ClientDialect;
  operation: "chat" | "completions";
  feature: Feature;
  parse(body: unknown): ParseResult<CanonicalRequest>;
}

const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // Proxies in front (nginx) must not buffer the stream.
  "x-accel-buffering": "no",
};

function requireObject(body: unknown): JsonObject {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "request body must be a JSON object");
  }
  return body as JsonObject;
}

/**
 * The request path for chat, messages and completions (DESIGN §2): parse, route, check the
 * model's limits, plan (pass-through or translation), call upstream, answer in the client's dialect.
 */
export async function handleGeneration(
  deps: ProxyDeps,
  spec: GenerationRoute,
  exchange: Exchange,
): Promise<void> {
  const started = performance.now();
  const clientBody = requireObject(exchange.body);
  const { request: canonical, warnings: parseWarnings } = parsedOrThrow(spec.parse(clientBody));
  const routed = route(deps, canonical, spec.feature, spec.operation, exchange.headers);
  const filled = applyModelOptions(canonical, routed.model);
  const maxTokensField =
    spec.dialect === "anthropic"
      ? "max_tokens"
      : clientBody.max_completion_tokens !== undefined
        ? "max_completion_tokens"
        : "max_tokens";
  const estimatedInputTokens = estimateInputTokens(canonical);
  checkTokenLimits(canonical, routed.model, estimatedInputTokens, maxTokensField);
  const plan = planGeneration({
    routed,
    clientDialect: spec.dialect,
    routeOperation: spec.operation,
    clientBody,
    request: canonical,
    filled,
  });

  const outcome: RequestOutcome = {
    requestId: exchange.id,
    actorId: exchange.principal?.actorId,
    feature: routed.feature,
    modelRef: routed.model.ref,
    providerId: routed.provider.id,
    stream: canonical.stream,
    status: 200,
    usage: undefined,
    durationMs: 0,
  };
  const admitting = deps.admit?.({
    principal: exchange.principal,
    feature: routed.feature,
    model: routed.model,
    provider: routed.provider,
    estimatedInputTokens,
    maxOutputTokens: canonical.maxOutputTokens ?? routed.model.contextWindow.maxOutputTokens,
    setHeader: (name, value) => exchange.header(name, value),
  });
  // Awaited only when it is a promise (Redis): the in-memory limiter answers synchronously.
  const ticket = admitting instanceof Promise ? await admitting : admitting;
  const report = () => {
    outcome.durationMs = performance.now() - started;
    ticket?.finish(outcome);
    deps.onOutcome?.(outcome);
  };

  exchange.header("x-tollgate-model", routed.model.ref);
  const warnings = warningHeader([...parseWarnings, ...plan.warnings]);
  if (warnings) exchange.header("x-tollgate-warnings", warnings);

  // A client that goes away aborts the upstream call at once.
  const abort = new AbortController();
  exchange.onClientGone(() => abort.abort());

  let response: Awaited<ReturnType<ProxyDeps["upstream"]["send"]>>;
  try {
    response = await deps.upstream.send(
      {
        providerName: routed.provider.id,
        endpoints: withClientHeaders(
          plan.target.endpoints,
          spec.dialect,
          plan.upstreamDialect,
          exchange.headers,
        ),
        body: JSON.stringify(plan.body),
      },
      { signal: abort.signal, secrets: plan.target.secrets, ...timeoutsFor(routed.model, routed.provider) },
    );
  } catch (error) {
    outcome.status = abort.signal.aborted ? 499 : error instanceof GatewayError ? error.status : 502;
    outcome.errorCode = error instanceof GatewayError ? error.code : "upstream_error";
    report();
    throw error;
  }

  if (!canonical.stream) {
    const bytes = await response.bytes();
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch {
      outcome.status = 502;
      report();
      throw new GatewayError("upstream_error", `${routed.provider.id} answered with a body that is not JSON`);
    }
    if (plan.passthrough) {
      outcome.usage = readUsage(plan.upstreamDialect, json);
      report();
      // The upstream's bytes as they came: nothing re-encoded, unknown fields intact.
      exchange.sendJson(response.status, bytes);
      return;
    }
    const translatedResponse = upstreamResponseToCanonical(
      plan.upstreamDialect,
      plan.upstreamShape,
      json,
      response.status,
    );
    if (!translatedResponse.ok) {
      outcome.status = 502;
      report();
      throw new GatewayError(
        "upstream_error",
        `${routed.provider.id} answered with an unexpected body: ${translatedResponse.error.message}`,
      );
    }
    outcome.usage = translatedResponse.response.usage;
    report();
    exchange.sendJson(
      200,
      canonicalToClientResponse(spec.dialect, spec.operation, translatedResponse.response),
    );
    return;
  }

  const result: StreamResult = { usage: undefined, error: undefined };
  const relay = relayStream(
    {
      body: response.body,
      passthrough: plan.passthrough,
      upstreamDialect: plan.upstreamDialect,
      clientDialect: spec.dialect,
      clientShape: spec.operation,
      includeUsage: canonical.includeUsage,
      injectedStreamUsage: plan.injectedStreamUsage,
      secrets: plan.target.secrets,
    },
    result,
  );
  exchange.sendStream(200, sseHeaders, relay, (clientGone) => {
    if (clientGone || abort.signal.aborted) {
      outcome.status = 499;
      response.cancel();
    } else if (result.error) {
      outcome.status = result.error.status;
      outcome.errorCode = result.error.code;
    }
    outcome.usage = result.usage;
    report();
  });
}
