import type { IncomingHttpHeaders } from "node:http";
import type { TranslationWarning } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import type { JsonObject } from "../canonical/validate.js";
import type { Dialect } from "../dialects/dialect.js";
import { GatewayError } from "../errors/index.js";
import { withClientHeaders } from "./client-headers.js";
import { type AnswerContext, codecs, type Shape, translators } from "./codecs.js";
import { debugCommand } from "./debug-command.js";
import { estimateInputTokens } from "./estimate.js";
import type { Exchange } from "./exchange.js";
import type { GenerationRoute } from "./generation-route.js";
import { applyModelOptions, checkTokenLimits } from "./model-options.js";
import { endpointOf } from "./outcome.js";
import { fieldError, type Routed, route, timeoutsFor } from "./prepare.js";
import { providerFailureCode } from "./provider-failure.js";
import type { ProxyDeps } from "./proxy-deps.js";
import { requiredCapability } from "./resolve-model.js";
import { openRelay } from "./stream-relay.js";
import { UpstreamCall } from "./upstream-call.js";
import { passesThrough, planGeneration, type RouteOperation } from "./upstream-plan.js";
import { warningHeader } from "./warnings.js";

/** Routes the request, with the ingress's model names resolved first. */
function routeRequest(
  deps: ProxyDeps,
  spec: GenerationRoute,
  request: CanonicalRequest,
  exchange: Exchange,
): Routed<CanonicalRequest> {
  const capability = spec.capability ?? requiredCapability[spec.operation];
  const models = spec.models;
  if (!models) return route(deps, request, spec.feature, capability, exchange);
  request.model = models.ref(deps.catalogue(), request.model, capability);
  const routed = route(deps, request, spec.feature, capability, exchange);
  models.resolved?.(routed, exchange);
  return routed;
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

/** An Anthropic client's `anthropic-beta` header as a list (Bedrock takes the betas in the body). */
function anthropicBetasOf(
  dialect: Dialect,
  headers: Exchange["headers"],
): { anthropicBetas?: readonly string[] } {
  const header = headers["anthropic-beta"];
  if (dialect !== "anthropic" || header === undefined) return {};
  const values = (Array.isArray(header) ? header.join(",") : header).split(",");
  return { anthropicBetas: values.map((value) => value.trim()).filter((value) => value !== "") };
}

/**
 * The model asked for and a request id, for answers that do not carry them (Bedrock Converse): the upstream's
 * own id when it sent one, else the gateway's.
 */
function answerContext(
  routed: Routed<CanonicalRequest>,
  headers: IncomingHttpHeaders,
  gatewayRequestId: string,
): AnswerContext {
  const requestId = headers["x-amzn-requestid"];
  return {
    model: routed.model.modelName,
    requestId: typeof requestId === "string" ? requestId : gatewayRequestId,
  };
}

/** The answer shape of a route: OpenAI's legacy completions are completion-shaped, everything else chat. */
function shapeOf(operation: RouteOperation): Shape {
  return operation === "completions" ? "completions" : "chat";
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
  const clientBody = requireObject(exchange.body);
  const parsed = spec.parse(clientBody);
  let canonical: CanonicalRequest;
  let parseWarnings: TranslationWarning[] = [];
  let routed: Routed<CanonicalRequest>;
  let estimatedInputTokens: number;
  if (parsed.ok) {
    canonical = parsed.request;
    parseWarnings = parsed.warnings;
    routed = routeRequest(deps, spec, canonical, exchange);
    estimatedInputTokens = estimateInputTokens(canonical);
  } else {
    // A same-dialect upstream takes the client's body as it is, so a field the canonical form cannot read (a new
    // block type, a beta's field) must not stop it: route with the envelope (model, stream, max tokens) and
    // refuse only a request that would have to be translated, or that no upstream may take (fatal).
    const unparsed = spec.unparsed;
    const envelope = parsed.error.fatal ? undefined : unparsed?.envelope(clientBody);
    if (!unparsed || !envelope) throw fieldError(parsed.error);
    canonical = envelope.request;
    routed = routeRequest(deps, spec, canonical, exchange);
    if (!passesThrough(routed, spec.dialect, spec.operation)) throw fieldError(parsed.error);
    // The parser stopped at its first error: a fatal one may lie past it.
    const refusal = unparsed.refusal(clientBody, parsed.error);
    if (refusal) throw fieldError(refusal);
    estimatedInputTokens = envelope.estimatedInputTokens;
  }
  const outcome = exchange.outcome;
  outcome.stream = canonical.stream;
  const filled = applyModelOptions(canonical, routed.model);
  const maxTokensField = codecs[spec.dialect].passthrough.maxTokensField(clientBody, "max_tokens");
  const maximum = routed.model.contextWindow.maxOutputTokens;
  if (spec.aboveMaxTokens && canonical.maxOutputTokens !== undefined && canonical.maxOutputTokens > maximum)
    throw new GatewayError("invalid_request", spec.aboveMaxTokens(maximum, canonical.maxOutputTokens), {
      param: maxTokensField,
    });
  const ceiling = checkTokenLimits(canonical, routed.model, estimatedInputTokens, maxTokensField);
  const plan = planGeneration({
    routed,
    clientDialect: spec.dialect,
    routeOperation: spec.operation,
    clientBody,
    request: canonical,
    filled,
    ...anthropicBetasOf(spec.dialect, exchange.headers),
  });

  const maxOutputTokens = canonical.maxOutputTokens ?? routed.model.contextWindow.maxOutputTokens;
  outcome.estimate = { inputTokens: estimatedInputTokens, maxOutputTokens };
  const admitting = deps.admit?.({
    principal: exchange.principal,
    feature: routed.feature,
    model: routed.model,
    provider: routed.provider,
    estimatedInputTokens,
    maxOutputTokens,
    setHeader: (name, value) => exchange.header(name, value),
  });
  // Awaited only when it is a promise (Redis): the in-memory limiter answers synchronously.
  exchange.admitted(admitting instanceof Promise ? await admitting : admitting);
  if (exchange.ended) return;

  exchange.header("x-tollgate-model", routed.model.ref);
  // An admin's `tollgate_debug:::{"latencytest": N}` is answered by the gateway itself, once admitted.
  const debugging = debugCommand(deps, spec, exchange, { canonical, routed, clientBody });
  if (debugging) return debugging;
  const warnings = warningHeader(
    ceiling ? [...parseWarnings, ceiling, ...plan.warnings] : [...parseWarnings, ...plan.warnings],
  );
  if (warnings) exchange.header("x-tollgate-warnings", warnings);

  const timeouts = timeoutsFor(routed.model, routed.provider);
  const call = new UpstreamCall(exchange, routed.provider.id, timeouts.totalMs, deps.observer);
  outcome.upstreamSent = true;
  outcome.endpointUrl = endpointOf(plan.target.endpoints[0]?.url);
  let response: Awaited<ReturnType<ProxyDeps["upstream"]["send"]>>;
  let bytes: Buffer | undefined;
  try {
    response = await deps.upstream.send(
      {
        providerName: routed.provider.id,
        endpoints: withClientHeaders(
          plan.target.endpoints,
          spec.dialect,
          plan.passthrough && routed.definition.anthropicHeaders === true,
          exchange.headers,
        ),
        body: JSON.stringify(plan.body),
        model: routed.model.modelName,
      },
      { signal: call.signal, secrets: plan.target.secrets, ...timeouts },
    );
    call.answered();
    if (!canonical.stream) {
      bytes = await response.bytes();
      call.answered(true);
    }
  } catch (error) {
    throw call.failure(error);
  }

  if (bytes !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new GatewayError("upstream_error", `${routed.provider.id} answered with a body that is not JSON`);
    }
    if (plan.passthrough) {
      outcome.usage = codecs[spec.dialect].readUsage(json);
      // The upstream's bytes as they came: nothing re-encoded, unknown fields intact.
      exchange.sendJson(response.status, bytes);
      return;
    }
    const translatedResponse = translators[plan.providerDialect].fromUpstreamResponse(
      json,
      response.status,
      plan.upstreamShape,
      answerContext(routed, response.headers, exchange.id),
    );
    if (!translatedResponse.ok) {
      // A failure the provider reported in its answer (Gemini's blocked prompt is a 400) keeps its status.
      const { status, message } = translatedResponse.error;
      throw status >= 400
        ? new GatewayError(providerFailureCode(status), `${routed.provider.id}: ${message}`)
        : new GatewayError(
            "upstream_error",
            `${routed.provider.id} answered with an unexpected body: ${message}`,
          );
    }
    outcome.usage = translatedResponse.response.usage;
    exchange.sendJson(
      200,
      codecs[spec.dialect].toClientResponse(translatedResponse.response, shapeOf(spec.operation), clientBody),
    );
    return;
  }

  // Waits for the first text: a stream that fails before it is an HTTP error in the client's dialect.
  const relay = await openRelay(
    {
      body: response.body,
      providerName: routed.provider.id,
      contentType: response.headers["content-type"],
      framing: plan.framing,
      passthrough: plan.passthrough,
      providerDialect: plan.providerDialect,
      clientDialect: spec.dialect,
      ...(plan.passthrough ? {} : { clientRequest: clientBody }),
      answer: answerContext(routed, response.headers, exchange.id),
      clientShape: shapeOf(spec.operation),
      includeUsage: canonical.includeUsage,
      injectedStreamUsage: plan.injectedStreamUsage,
      secrets: plan.target.secrets,
      failure: (error) => call.failure(error),
    },
    outcome,
  );
  exchange.sendStream(200, sseHeaders, relay);
}
