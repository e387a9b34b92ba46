import type { CanonicalRequest, ReasoningEffort } from "../canonical/request.js";
import type { ResolvedModel } from "../config/index.js";
import { GatewayError } from "../errors/index.js";

/** Canonical request fields the model's `options` filled in because the caller left them out. */
export type FilledOption =
  | "temperature"
  | "topP"
  | "topK"
  | "presencePenalty"
  | "frequencyPenalty"
  | "maxOutputTokens"
  | "reasoning";

/**
 * The model's `options` fill in what the caller left out (never override what it sent), and
 * the model's reasoning effort applies when the caller asked for none.
 */
export function applyModelOptions(request: CanonicalRequest, model: ResolvedModel): FilledOption[] {
  const options = model.options;
  const filled: FilledOption[] = [];
  const fill = <
    K extends "temperature" | "topP" | "topK" | "presencePenalty" | "frequencyPenalty" | "maxOutputTokens",
  >(
    key: K,
  ) => {
    const value = options[key];
    if (value !== undefined && request[key] === undefined) {
      request[key] = value;
      filled.push(key);
    }
  };
  fill("temperature");
  fill("topP");
  fill("topK");
  fill("presencePenalty");
  fill("frequencyPenalty");
  fill("maxOutputTokens");
  if (request.reasoning === undefined) {
    const effort: ReasoningEffort | undefined =
      options.reasoningEffort ?? options.effort ?? model.reasoningEffort;
    if (options.thinkingBudgetTokens !== undefined || effort !== undefined) {
      request.reasoning = {
        ...(effort === undefined ? {} : { effort }),
        ...(options.thinkingBudgetTokens === undefined ? {} : { budgetTokens: options.thinkingBudgetTokens }),
      };
      filled.push("reasoning");
    }
  }
  return filled;
}

/** Refuses output limits above the model's and inputs estimated above its context window (DESIGN §5). */
export function checkTokenLimits(
  request: CanonicalRequest,
  model: ResolvedModel,
  estimatedInputTokens: number,
  maxTokensField: string,
): void {
  const { maxInputTokens, maxOutputTokens } = model.contextWindow;
  if (request.maxOutputTokens !== undefined && request.maxOutputTokens > maxOutputTokens) {
    throw new GatewayError(
      "invalid_request",
      `\`${maxTokensField}\` is ${request.maxOutputTokens}, above the ${maxOutputTokens} output tokens model \`${model.ref}\` allows`,
      { param: maxTokensField },
    );
  }
  if (estimatedInputTokens > maxInputTokens) {
    throw new GatewayError(
      "invalid_request",
      `the input is about ${estimatedInputTokens} tokens, ${estimatedInputTokens - maxInputTokens} more than the ${maxInputTokens} model \`${model.ref}\` accepts; shorten the messages`,
      { param: "messages" },
    );
  }
}
