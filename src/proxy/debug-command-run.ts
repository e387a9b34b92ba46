import type { CanonicalRequest } from "../canonical/request.js";
import type { CanonicalStreamEvent } from "../canonical/stream-events.js";
import { type CanonicalUsage, emptyUsage } from "../canonical/usage.js";
import { GatewayError } from "../errors/index.js";
import { createFrameReader } from "../upstream/framing/index.js";
import { scrubSecrets } from "../upstream/scrub.js";
import { withClientHeaders } from "./client-headers.js";
import { translators } from "./codecs.js";
import type { LatencySample } from "./debug-command-latency.js";
import type { Exchange } from "./exchange.js";
import { type Routed, timeoutsFor } from "./prepare.js";
import type { ProxyDeps } from "./proxy-deps.js";
import type { UpstreamCall } from "./upstream-call.js";
import { planGeneration, type UpstreamPlan } from "./upstream-plan.js";

/** Cody's prompt for its debug latency test (reference/cody.md §7.6). */
export const debugPrompt = "Hello, please respond with a short message.";
const maxTokens = 16;
/** One slow request fails alone instead of holding the whole test until the request's total deadline. */
const perRequestMs = 60_000;

/** Events that carry something the model produced: the first one is the "first token". */
const contentEvents = new Set<CanonicalStreamEvent["type"]>([
  "text-delta",
  "reasoning-delta",
  "refusal-delta",
  "tool-call-start",
]);

/**
 * The plan of one minimal streamed chat request to the routed model, built the way a client's request is
 * (OpenAI dialect in, so an OpenAI-family upstream takes it as a pass-through and any other one translated):
 * the same provider, endpoint, credential and translation as the debug request itself.
 */
export function debugPlan(routed: Routed<unknown>): UpstreamPlan {
  const clientBody = {
    model: routed.model.ref,
    stream: true,
    max_tokens: maxTokens,
    messages: [{ role: "user", content: debugPrompt }],
  };
  const request: CanonicalRequest = {
    model: routed.model.ref,
    system: [],
    messages: [{ role: "user", content: [{ type: "text", text: debugPrompt }] }],
    maxOutputTokens: maxTokens,
    stream: true,
    // The gateway asks an OpenAI-family upstream for stream usage, so the test's tokens are metered.
    includeUsage: false,
    extra: {},
  };
  return planGeneration({
    routed,
    clientDialect: "openai",
    routeOperation: "chat",
    clientBody,
    request,
    filled: [],
  });
}

function describe(error: unknown, secrets: readonly string[] | undefined): string {
  if (error instanceof GatewayError) {
    return `${error.status} ${error.code}: ${scrubSecrets(error.message, secrets)}`;
  }
  return "the upstream call failed";
}

function addUsage(total: CanonicalUsage | undefined, usage: CanonicalUsage): CanonicalUsage {
  const sum = total ?? emptyUsage();
  return {
    inputTokens: sum.inputTokens + usage.inputTokens,
    outputTokens: sum.outputTokens + usage.outputTokens,
    cacheReadTokens: sum.cacheReadTokens + usage.cacheReadTokens,
    cacheWriteTokens: sum.cacheWriteTokens + usage.cacheWriteTokens,
  };
}

/**
 * One request of the test: sent through the upstream client (failover, timeouts, signing), its stream decoded
 * with the provider dialect's decoder and timed to the first content event and to its end. Its usage is added to
 * the debug request's outcome: the provider bills these tokens.
 */
export async function timeUpstreamRequest(
  deps: ProxyDeps,
  exchange: Exchange,
  routed: Routed<unknown>,
  plan: UpstreamPlan,
  call: UpstreamCall,
): Promise<LatencySample> {
  const secrets = plan.target.secrets;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const signal = AbortSignal.any([call.signal, AbortSignal.timeout(perRequestMs)]);
  let ttftMs: number | undefined;
  let failure: string | undefined;
  let usage: CanonicalUsage | undefined;
  const decoder = translators[plan.providerDialect].streamDecoder({ model: routed.model.modelName });
  const onEvents = (events: CanonicalStreamEvent[]) => {
    for (const event of events) {
      if (event.type === "usage") usage = event.usage;
      else if (event.type === "error")
        failure ??= `${event.error.status}: ${scrubSecrets(event.error.message, secrets)}`;
      else if (ttftMs === undefined && contentEvents.has(event.type)) ttftMs = elapsed();
    }
  };
  try {
    const response = await deps.upstream.send(
      {
        providerName: routed.provider.id,
        endpoints: withClientHeaders(plan.target.endpoints, "openai", false, exchange.headers),
        body: JSON.stringify(plan.body),
      },
      { signal, secrets, ...timeoutsFor(routed.model, routed.provider) },
    );
    call.answered();
    const reader = createFrameReader(plan.framing, (event) =>
      onEvents(
        event.event !== undefined && decoder.pushEvent
          ? decoder.pushEvent(event.event, event.data)
          : decoder.pushData(event.data),
      ),
    );
    for await (const chunk of response.body) reader.feedBytes(chunk);
    reader.end();
    onEvents(decoder.end());
  } catch (error) {
    const timedOut = signal.aborted && !call.signal.aborted;
    failure ??= timedOut
      ? `no answer within ${perRequestMs / 1000} s`
      : describe(call.failure(error), secrets);
  }
  if (usage) exchange.outcome.usage = addUsage(exchange.outcome.usage, usage);
  const totalMs = elapsed();
  if (failure) return { ok: false, error: failure, totalMs };
  if (ttftMs === undefined) return { ok: false, error: "the stream carried no content", totalMs };
  return { ok: true, ttftMs, totalMs };
}
