/** Claude's extended-thinking setting, for Anthropic's API and for Claude on other clouds (Bedrock Converse). */
import type { ReasoningConfig, ReasoningEffort } from "../../canonical/request.js";
import { fail, type JsonObject } from "../../canonical/validate.js";

type Warn = (field: string, message: string) => void;

/** Thinking budgets for OpenAI-style efforts (wire-formats §8.6). */
export const thinkingBudgets: Record<Exclude<ReasoningEffort, "none">, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
  max: 32768,
};

/** Claude's smallest thinking budget. */
export const minimumThinkingBudget = 1024;

/**
 * The `thinking` object for a canonical reasoning setting, and the budget when thinking is on with one (the
 * caller makes max tokens exceed it and drops the sampling Claude refuses with thinking). Undefined when there is
 * nothing to send.
 */
export function claudeThinking(
  reasoning: ReasoningConfig,
  warn: Warn,
): { thinking: JsonObject; budget?: number } | undefined {
  if (reasoning.enabled === false || reasoning.effort === "none") return { thinking: { type: "disabled" } };
  if (reasoning.adaptive) return { thinking: { type: "adaptive" } };
  let budget = reasoning.budgetTokens;
  if (budget === undefined && reasoning.effort !== undefined) {
    budget = thinkingBudgets[reasoning.effort];
    warn("reasoning_effort", `sent as a thinking budget of ${budget} tokens`);
  }
  if (budget === undefined) return undefined;
  if (budget < minimumThinkingBudget)
    fail(
      "reasoning.budget_tokens",
      `Claude needs a thinking budget of at least ${minimumThinkingBudget} tokens, got ${budget}`,
    );
  return { thinking: { type: "enabled", budget_tokens: budget }, budget };
}
