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

/** Where a request body keeps its max tokens, and the sampling settings Claude refuses with thinking on. */
export interface ClaudeBodyFields {
  maxTokens: { holder: JsonObject; key: string };
  /** Each setting's holder, its key there, and the name the client knows it by (for the warning). */
  sampling: ReadonlyArray<{ holder: JsonObject; key: string; name: string }>;
}

/**
 * With thinking on: max tokens must exceed the budget (raised by it when they do not), and temperature, top_p and
 * top_k are refused by Claude, so they are left out (wire-formats §3.4), each with a warning.
 */
export function fitThinking(budget: number, fields: ClaudeBodyFields, warn: Warn): void {
  const { holder, key } = fields.maxTokens;
  const maxTokens = holder[key];
  if (typeof maxTokens === "number" && maxTokens <= budget) {
    holder[key] = maxTokens + budget;
    warn("max_tokens", `raised to ${maxTokens + budget}: it must exceed the thinking budget of ${budget}`);
  }
  for (const setting of fields.sampling) {
    if (setting.key in setting.holder) {
      delete setting.holder[setting.key];
      warn(setting.name, "not sent: Claude does not allow it with extended thinking");
    }
  }
}
