import type { TranslationWarning } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import type { JsonObject } from "../canonical/validate.js";
import type { Dialect } from "../dialects/dialect.js";
import { prepareResponsesTranslation } from "../dialects/openai-responses/responses-translation.js";
import { GatewayError } from "../errors/index.js";
import { mistralFimBody, mistralFimTarget } from "../providers/mistral/mistral-fim.js";
import {
  defaultUpstreamModel,
  type Framing,
  type Operation,
  type ProviderCall,
  type UpstreamTarget,
} from "../providers/types.js";
import { codecs, type PassthroughRewrite, type ProviderDialect, type Shape, translators } from "./codecs.js";
import type { FilledOption } from "./model-options.js";
import { fieldError, type Routed } from "./prepare.js";

/** What a client route asks for: chat (chat completions, messages), legacy completions, or a Responses call. */
export type RouteOperation = "chat" | "completions" | "responses";

/** How one request goes upstream and how its answer comes back. */
export interface UpstreamPlan {
  call: ProviderCall;
  target: UpstreamTarget;
  body: JsonObject;
  /** The answer is relayed as it is (same dialect and shape); otherwise translated. */
  passthrough: boolean;
  /** The provider's native dialect, which a translated answer is read from (a pass-through speaks the client's). */
  providerDialect: ProviderDialect;
  /** How the upstream's stream records are carried. */
  framing: Framing;
  /** For OpenAI: whether the answer is chat- or completion-shaped. */
  upstreamShape: Shape;
  /** The gateway asked for stream usage the client did not ask for; that chunk is not relayed. */
  injectedStreamUsage: boolean;
  warnings: TranslationWarning[];
}

/** Same dialect: the client's own body with only the routed fields rewritten; unknown fields survive. */
function passthroughBody(
  dialect: Dialect,
  clientBody: JsonObject,
  request: CanonicalRequest,
  filled: FilledOption[],
  model: string,
  providerMaxTokensField: string,
): { body: JsonObject; injectedStreamUsage: boolean; warnings: TranslationWarning[] } {
  const rewrite: PassthroughRewrite = codecs[dialect].passthrough;
  const warnings: TranslationWarning[] = [];
  const body: JsonObject = { ...clientBody, model };
  for (const option of filled) {
    const name = rewrite.optionNames[option];
    if (name) body[name] = request[option as "temperature"];
  }
  // Filled in from the model's options, or lowered to the model's maximum (checkTokenLimits).
  const maxTokensField = rewrite.maxTokensField(body, providerMaxTokensField);
  const sent = body[maxTokensField];
  if (
    request.maxOutputTokens !== undefined &&
    (sent === undefined
      ? filled.includes("maxOutputTokens")
      : typeof sent === "number" && sent > request.maxOutputTokens)
  ) {
    body[maxTokensField] = request.maxOutputTokens;
    const changed = rewrite.maxTokensLowered?.(body, request.maxOutputTokens);
    if (changed) warnings.push(changed);
  }
  if (filled.includes("reasoning") && request.reasoning) rewrite.setReasoning(body, request.reasoning);
  const injectedStreamUsage = rewrite.requestStreamUsage(body, request);
  return { body, injectedStreamUsage, warnings };
}

/** Whether a request of this dialect and operation goes to the routed provider as the client wrote it. */
export function passesThrough(routed: Routed<unknown>, dialect: Dialect, operation: RouteOperation): boolean {
  if (operation === "responses") return routed.definition.operations.has("responses");
  return operation === "chat" && dialect === routed.wire.dialect;
}

/**
 * What a client dialect's request keeps for an upstream of another dialect. The Responses API's state
 * (`previous_response_id`…) is refused; its built-in tools (web search, tool search, custom tools) are left out
 * with a warning, so an agent such as the Codex CLI, which always offers web search, works with any model.
 */
function forTranslation(
  dialect: Dialect,
  request: CanonicalRequest,
): { request: CanonicalRequest; warnings: TranslationWarning[] } {
  if (dialect !== "openai-responses") return { request, warnings: [] };
  const prepared = prepareResponsesTranslation(request, { opaqueTools: "drop" });
  if (!prepared.ok) throw fieldError(prepared.error);
  return { request: prepared.request, warnings: prepared.warnings };
}

/** Whether a provider serves `/v1/completions` through a legacy completions API (Cody's switches). */
function servesLegacyCompletions(routed: Routed<unknown>): boolean {
  const { provider, definition } = routed;
  if (!definition.operations.has("completions")) return false;
  if (definition.legacyCompletions) return definition.legacyCompletions(provider, routed.model);
  const config = provider.serverConfig;
  if (config.type === "openaicompatible" || config.type === "huggingface-tgi")
    return config.useLegacyCompletions !== false;
  if (config.type === "azureOpenAI") return config.useDeprecatedCompletionsAPI === true;
  return true;
}

/** A completion prompt as a chat turn, for upstreams that only chat. */
function promptAsChat(request: CanonicalRequest): CanonicalRequest {
  if (!request.prompt) return request;
  if (request.prompt.suffix !== undefined && request.prompt.suffix !== "") {
    throw new GatewayError(
      "invalid_request",
      "this model cannot fill in the middle: remove `suffix` or pick a model that supports it",
      {
        param: "suffix",
      },
    );
  }
  const { prompt, ...rest } = request;
  return { ...rest, messages: [{ role: "user", content: [{ type: "text", text: prompt.text }] }] };
}

function translated(
  upstreamDialect: ProviderDialect,
  request: CanonicalRequest,
  routed: Routed<unknown>,
  model: string,
) {
  const warnings: TranslationWarning[] = [];
  if (
    request.reasoning &&
    request.reasoning.enabled !== false &&
    !routed.model.capabilities.includes("reasoning")
  ) {
    // Self-hosted servers refuse reasoning parameters for models that do not reason.
    warnings.push({
      field: "reasoning",
      message: `model ${routed.model.ref} does not have the reasoning capability; the reasoning settings are not sent`,
    });
    request = { ...request };
    delete request.reasoning;
  }
  const result = translators[upstreamDialect].buildRequest(request, { model, routed });
  if (!result.ok) throw fieldError(result.error);
  return { body: result.body, warnings: [...warnings, ...result.warnings] };
}

export interface PlanInput {
  routed: Routed<unknown>;
  clientDialect: Dialect;
  routeOperation: RouteOperation;
  clientBody: JsonObject;
  request: CanonicalRequest;
  filled: FilledOption[];
  /** The `anthropic-beta` values of an Anthropic client. */
  anthropicBetas?: readonly string[];
}

export function planGeneration(input: PlanInput): UpstreamPlan {
  const { routed, clientDialect, routeOperation, clientBody, request, filled } = input;
  const { definition, provider } = routed;
  const callFor = (operation: Operation): ProviderCall => ({
    provider,
    model: routed.model,
    operation,
    stream: request.stream,
    credential: routed.credential,
    feature: routed.feature,
    requestId: routed.requestId,
    ...(input.anthropicBetas ? { anthropicBetas: input.anthropicBetas } : {}),
  });
  const maxTokensField = definition.openaiChatSettings?.maxTokensField ?? "max_tokens";

  let plan: UpstreamPlan;
  if (
    routeOperation === "completions" &&
    provider.type === "mistral" &&
    request.prompt?.suffix !== undefined
  ) {
    const call = callFor("completions");
    const model = defaultUpstreamModel(call);
    plan = {
      call,
      target: mistralFimTarget(call),
      body: mistralFimBody(request, model),
      passthrough: false,
      providerDialect: "openai",
      framing: "sse",
      upstreamShape: "chat",
      injectedStreamUsage: false,
      warnings: [],
    };
  } else if (routeOperation === "completions" && servesLegacyCompletions(routed)) {
    const call = callFor("completions");
    const model = definition.upstreamModel?.(call) ?? defaultUpstreamModel(call);
    const { body, injectedStreamUsage, warnings } = passthroughBody(
      "openai",
      clientBody,
      request,
      filled,
      model,
      "max_tokens",
    );
    plan = {
      call,
      target: definition.target(call),
      body,
      passthrough: true,
      providerDialect: "openai",
      framing: routed.wire.framing,
      upstreamShape: "completions",
      injectedStreamUsage,
      warnings,
    };
  } else {
    const passthrough = passesThrough(routed, clientDialect, routeOperation);
    const call = callFor(passthrough && routeOperation === "responses" ? "responses" : "chat");
    const model = definition.upstreamModel?.(call) ?? defaultUpstreamModel(call);
    const target = definition.target(call);
    if (passthrough) {
      const { body, injectedStreamUsage, warnings } = passthroughBody(
        clientDialect,
        clientBody,
        request,
        filled,
        model,
        maxTokensField,
      );
      plan = {
        call,
        target,
        body,
        passthrough: true,
        providerDialect: routed.wire.dialect,
        framing: routed.wire.framing,
        upstreamShape: "chat",
        injectedStreamUsage,
        warnings,
      };
    } else {
      const translatable = forTranslation(clientDialect, promptAsChat(request));
      const built = translated(routed.wire.dialect, translatable.request, routed, model);
      built.warnings.unshift(...translatable.warnings);
      plan = {
        call,
        target,
        body: built.body,
        passthrough: false,
        providerDialect: routed.wire.dialect,
        framing: routed.wire.framing,
        upstreamShape: "chat",
        injectedStreamUsage: false,
        warnings: built.warnings,
      };
    }
  }
  definition.finalizeBody?.(plan.body, plan.call);
  return plan;
}
