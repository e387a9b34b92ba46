import type { TranslationWarning } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import type { JsonObject } from "../canonical/validate.js";
import type { ResolvedProvider } from "../config/index.js";
import { canonicalToAnthropicRequest } from "../dialects/anthropic/anthropic-request-build.js";
import type { Dialect } from "../dialects/dialect.js";
import { canonicalToOpenAIChatRequest } from "../dialects/openai/openai-chat-request-build.js";
import { GatewayError } from "../errors/index.js";
import { mistralFimBody, mistralFimTarget } from "../providers/mistral/mistral-fim.js";
import {
  defaultUpstreamModel,
  type Operation,
  type ProviderCall,
  type UpstreamTarget,
} from "../providers/types.js";
import type { FilledOption } from "./model-options.js";
import { fieldError, type Routed } from "./prepare.js";

/** How one request goes upstream and how its answer comes back. */
export interface UpstreamPlan {
  call: ProviderCall;
  target: UpstreamTarget;
  body: JsonObject;
  /** The answer is relayed as it is (same dialect and shape); otherwise translated. */
  passthrough: boolean;
  /** The upstream's answer: its dialect, and for OpenAI whether chat- or completion-shaped. */
  upstreamDialect: Dialect;
  upstreamShape: "chat" | "completions";
  /** The gateway asked for stream usage the client did not ask for; that chunk is not relayed. */
  injectedStreamUsage: boolean;
  warnings: TranslationWarning[];
}

const openaiNames: Partial<Record<FilledOption, string>> = {
  temperature: "temperature",
  topP: "top_p",
  presencePenalty: "presence_penalty",
  frequencyPenalty: "frequency_penalty",
};
const anthropicNames: Partial<Record<FilledOption, string>> = {
  temperature: "temperature",
  topP: "top_p",
  topK: "top_k",
};

/** Same dialect: the client's own body with only the routed fields rewritten; unknown fields survive. */
function passthroughBody(
  dialect: Dialect,
  clientBody: JsonObject,
  request: CanonicalRequest,
  filled: FilledOption[],
  model: string,
  maxTokensField: string,
): { body: JsonObject; injectedStreamUsage: boolean } {
  const body: JsonObject = { ...clientBody, model };
  const names = dialect === "openai" ? openaiNames : anthropicNames;
  for (const option of filled) {
    const name = names[option];
    if (name) body[name] = request[option as "temperature"];
  }
  if (
    filled.includes("maxOutputTokens") &&
    body.max_tokens === undefined &&
    body.max_completion_tokens === undefined
  ) {
    body[dialect === "openai" ? maxTokensField : "max_tokens"] = request.maxOutputTokens;
  }
  // Lowered to the model's maximum (checkTokenLimits): the client's own field carries the new value.
  const clientField =
    dialect === "anthropic"
      ? "max_tokens"
      : body.max_completion_tokens !== undefined
        ? "max_completion_tokens"
        : "max_tokens";
  const sent = body[clientField];
  if (typeof sent === "number" && request.maxOutputTokens !== undefined && sent > request.maxOutputTokens) {
    body[clientField] = request.maxOutputTokens;
  }
  if (filled.includes("reasoning") && request.reasoning) {
    if (dialect === "openai" && request.reasoning.effort) body.reasoning_effort = request.reasoning.effort;
    if (dialect === "anthropic" && request.reasoning.budgetTokens) {
      body.thinking = { type: "enabled", budget_tokens: request.reasoning.budgetTokens };
    }
  }
  let injectedStreamUsage = false;
  if (dialect === "openai" && request.stream && !request.includeUsage) {
    // DESIGN §8 "Metering streams": every stream is metered; the extra chunk is removed on the way back.
    const options =
      typeof body.stream_options === "object" && body.stream_options !== null ? body.stream_options : {};
    body.stream_options = { ...options, include_usage: true };
    injectedStreamUsage = true;
  }
  return { body, injectedStreamUsage };
}

/** Whether a provider serves `/v1/completions` through a legacy completions API (Cody's switches). */
function servesLegacyCompletions(provider: ResolvedProvider, operations: ReadonlySet<Operation>): boolean {
  if (!operations.has("completions")) return false;
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
  upstreamDialect: Dialect,
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
  const result =
    upstreamDialect === "anthropic"
      ? canonicalToAnthropicRequest(request, {
          model,
          defaultMaxTokens:
            routed.model.options.maxOutputTokens ?? routed.model.contextWindow.maxOutputTokens,
        })
      : canonicalToOpenAIChatRequest(request, { model, ...routed.definition.openaiChatSettings });
  if (!result.ok) throw fieldError(result.error);
  return { body: result.body, warnings: [...warnings, ...result.warnings] };
}

export interface PlanInput {
  routed: Routed<unknown>;
  clientDialect: Dialect;
  routeOperation: "chat" | "completions";
  clientBody: JsonObject;
  request: CanonicalRequest;
  filled: FilledOption[];
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
      upstreamDialect: "openai",
      upstreamShape: "chat",
      injectedStreamUsage: false,
      warnings: [],
    };
  } else if (routeOperation === "completions" && servesLegacyCompletions(provider, definition.operations)) {
    const call = callFor("completions");
    const model = definition.upstreamModel?.(call) ?? defaultUpstreamModel(call);
    const { body, injectedStreamUsage } = passthroughBody(
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
      upstreamDialect: "openai",
      upstreamShape: "completions",
      injectedStreamUsage,
      warnings: [],
    };
  } else {
    const call = callFor("chat");
    const model = definition.upstreamModel?.(call) ?? defaultUpstreamModel(call);
    const target = definition.target(call);
    if (routeOperation === "chat" && clientDialect === definition.dialect) {
      const { body, injectedStreamUsage } = passthroughBody(
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
        upstreamDialect: definition.dialect,
        upstreamShape: "chat",
        injectedStreamUsage,
        warnings: [],
      };
    } else {
      const built = translated(definition.dialect, promptAsChat(request), routed, model);
      plan = {
        call,
        target,
        body: built.body,
        passthrough: false,
        upstreamDialect: definition.dialect,
        upstreamShape: "chat",
        injectedStreamUsage: false,
        warnings: built.warnings,
      };
    }
  }
  definition.finalizeBody?.(plan.body, plan.call);
  return plan;
}
