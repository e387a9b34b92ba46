import type { TranslationWarning } from "../canonical/errors.js";
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

/**
 * Output limits above the model's are lowered to its maximum with a warning, or refused where the model says
 * `outputTokensAboveMax: "reject"` (DESIGN §8); inputs estimated above its context window are refused.
 */
export function checkTokenLimits(
  request: CanonicalRequest,
  model: ResolvedModel,
  estimatedInputTokens: number,
  maxTokensField: string,
): TranslationWarning | undefined {
  const { maxInputTokens, maxOutputTokens } = model.contextWindow;
  let warning: TranslationWarning | undefined;
  if (request.maxOutputTokens !== undefined && request.maxOutputTokens > maxOutputTokens) {
    if (model.options.outputTokensAboveMax === "reject") {
      throw new GatewayError(
        "invalid_request",
        `\`${maxTokensField}\` is ${request.maxOutputTokens}, above the ${maxOutputTokens} output tokens model \`${model.ref}\` allows`,
        { param: maxTokensField },
      );
    }
    warning = {
      field: maxTokensField,
      message: `${request.maxOutputTokens} is above the ${maxOutputTokens} output tokens model ${model.ref} allows; sent as ${maxOutputTokens}`,
    };
    request.maxOutputTokens = maxOutputTokens;
  }
  if (estimatedInputTokens > maxInputTokens) {
    throw new GatewayError(
      "invalid_request",
      `the input is about ${estimatedInputTokens} tokens, ${estimatedInputTokens - maxInputTokens} more than the ${maxInputTokens} model \`${model.ref}\` accepts; shorten the messages`,
      { param: "messages" },
    );
  }
  return warning;
}
