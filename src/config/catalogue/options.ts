import type { PathSegment } from "../problems.js";
import type { ProviderType } from "../schema/enums.js";
import type { ModelOptions } from "../schema/model-configuration.js";
import type { Report, ResolvedModel, ResolvedProvider } from "./types.js";

const OPENAI_FAMILY: ProviderType[] = [
  "openai",
  "azureOpenAI",
  "openaicompatible",
  "huggingface-tgi",
  "fireworks",
  "mistral",
  "openrouter",
  "vercel",
];

/** Which provider types understand each provider-specific option (coder-agents.md "Provider-specific options"). */
const APPLIES_TO: Partial<Record<keyof ModelOptions, ProviderType[]>> = {
  thinkingBudgetTokens: ["anthropic", "awsBedrock", "google"],
  effort: ["anthropic", "awsBedrock", "google"],
  reasoningEffort: [
    "openai",
    "azureOpenAI",
    "openaicompatible",
    "huggingface-tgi",
    "fireworks",
    "openrouter",
    "vercel",
  ],
  parallelToolCalls: OPENAI_FAMILY,
  includeThoughts: ["google"],
  reasoningEnabled: ["openrouter", "vercel"],
};

/** Rejects provider-specific options on a provider that would ignore them (no silent drops). */
export function checkOptions(
  model: ResolvedModel,
  provider: ResolvedProvider,
  overrideIndex: number | undefined,
  report: Report,
): void {
  if (provider.type === "sourcegraph") return;
  for (const key of Object.keys(model.options) as (keyof ModelOptions)[]) {
    const types = APPLIES_TO[key];
    if (!types || types.includes(provider.type)) continue;
    const path: PathSegment[] =
      overrideIndex !== undefined && overrideIndex >= 0
        ? ["modelConfiguration", "modelOverrides", overrideIndex, "options", key]
        : ["modelConfiguration"];
    report(
      path,
      `\`${key}\` does not apply to model \`${model.ref}\`: provider \`${provider.id}\` is of type ${provider.type}, and \`${key}\` is for ${types.join(", ")}`,
      "error",
    );
  }
}
