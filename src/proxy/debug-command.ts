import type { CanonicalRequest } from "../canonical/request.js";
import type { CanonicalResponse } from "../canonical/response.js";
import type { CanonicalStreamEvent } from "../canonical/stream-events.js";
import { emptyUsage } from "../canonical/usage.js";
import type { JsonObject } from "../canonical/validate.js";
import { codecs } from "./codecs.js";
import { type LatencySample, latencyReport, sampleLine, summarize } from "./debug-command-latency.js";
import { debugPlan, debugPrompt, timeUpstreamRequest } from "./debug-command-run.js";
import type { Exchange } from "./exchange.js";
import type { GenerationRoute } from "./generation-route.js";
import { endpointOf } from "./outcome.js";
import { type Routed, timeoutsFor } from "./prepare.js";
import type { ProxyDeps } from "./proxy-deps.js";
import { UpstreamCall } from "./upstream-call.js";

/**
 * The chat debug command (Cody's `cody_debug:::{"latencytest": N}`, reference/cody.md §7.6): an admin who
 * sends it as their last message gets, instead of the model's answer, the gateway's own latency test of the
 * model's upstream as the assistant's reply, in the client's dialect. For everyone else it is an ordinary
 * message.
 */

const prefixes = ["cody_debug:::", "tollgate_debug:::"];
const mostRequests = 100;
const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/** N of a well-formed command in the last user message, else undefined (then it is an ordinary message). */
export function latencyTestCount(request: Pick<CanonicalRequest, "messages">): number | undefined {
  const last = request.messages.findLast((message) => message.role === "user");
  if (!last || last.content.length === 0 || !last.content.every((part) => part.type === "text")) return;
  const text = last.content.map((part) => (part.type === "text" ? part.text : "")).join("");
  const prefix = prefixes.find((candidate) => text.startsWith(candidate));
  if (!prefix) return;
  let command: unknown;
  try {
    command = JSON.parse(text.slice(prefix.length));
  } catch {
    return;
  }
  if (typeof command !== "object" || command === null || Array.isArray(command)) return;
  const keys = Object.keys(command);
  const count = (command as { latencytest?: unknown }).latencytest;
  if (keys.length !== 1 || typeof count !== "number" || !Number.isInteger(count)) return;
  return count >= 1 && count <= mostRequests ? count : undefined;
}

export interface DebugContext {
  canonical: CanonicalRequest;
  routed: Routed<unknown>;
  clientBody: JsonObject;
}

/**
 * The generation handler's hook, after routing, authorization and admission: a promise when the request is an
 * admin's debug command (the handler returns it), else undefined at the cost of a role check.
 */
export function debugCommand(
  deps: ProxyDeps,
  spec: Pick<GenerationRoute, "dialect" | "operation">,
  exchange: Exchange,
  context: DebugContext,
): Promise<void> | undefined {
  if (exchange.principal?.role !== "admin") return undefined;
  const count = latencyTestCount(context.canonical);
  if (count === undefined) return undefined;
  return answer(deps, spec, exchange, context, count);
}

function heading(routed: Routed<unknown>, count: number): string {
  const requests = count === 1 ? "1 request" : `${count} requests`;
  return `Latency test: ${requests} to ${routed.model.ref} (provider ${routed.provider.id}), one at a time, timed by the gateway from sending "${debugPrompt}" upstream to the first token and to the end.\n\n`;
}

async function answer(
  deps: ProxyDeps,
  spec: Pick<GenerationRoute, "dialect" | "operation">,
  exchange: Exchange,
  { canonical, routed, clientBody }: DebugContext,
  count: number,
): Promise<void> {
  const plan = debugPlan(routed);
  // One call for the whole test: the client leaving or the request's total deadline stops what is left.
  const call = new UpstreamCall(
    exchange,
    routed.provider.id,
    timeoutsFor(routed.model, routed.provider).totalMs,
    deps.observer,
  );
  exchange.outcome.upstreamSent = true;
  exchange.outcome.endpointUrl = endpointOf(plan.target.endpoints[0]?.url);
  // One request at a time, as Cody's: the numbers are the model's latency, not the upstream's queueing.
  async function* lines(): AsyncGenerator<string> {
    yield heading(routed, count);
    const samples: LatencySample[] = [];
    for (let index = 0; index < count && !call.signal.aborted; index++) {
      const sample = await timeUpstreamRequest(deps, exchange, routed, plan, call);
      samples.push(sample);
      yield `${sampleLine(index, sample)}\n`;
    }
    yield `\n${latencyReport(summarize(samples))}`;
  }
  const id = `debug-${exchange.id}`;
  const model = routed.model.modelName;
  const shape = spec.operation === "completions" ? "completions" : "chat";
  if (!canonical.stream) {
    let text = "";
    for await (const line of lines()) text += line;
    const response: CanonicalResponse = {
      id,
      model,
      content: [{ type: "text", text }],
      finish: { unified: "stop", raw: undefined },
      usage: emptyUsage(),
    };
    exchange.sendJson(200, codecs[spec.dialect].toClientResponse(response, shape, clientBody));
    return;
  }
  const encoder = codecs[spec.dialect].streamEncoder(shape, canonical.includeUsage, clientBody);
  async function* stream(): AsyncGenerator<string> {
    const encode = (event: CanonicalStreamEvent) => encoder.encode(event);
    yield encode({ type: "message-start", id, model, created: Math.floor(Date.now() / 1000) });
    for await (const text of lines()) yield encode({ type: "text-delta", index: 0, text });
    yield encode({ type: "content-block-stop", index: 0 }) +
      encode({ type: "finish", finish: { unified: "stop", raw: undefined } }) +
      encode({ type: "usage", usage: emptyUsage() }) +
      encoder.end();
  }
  exchange.sendStream(200, sseHeaders, stream());
}
