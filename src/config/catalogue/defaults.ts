import { closest } from "../edit-distance.js";
import type { Capability, Category } from "../schema/enums.js";
import type { DefaultModels, Report, ResolvedModel } from "./types.js";

const FEATURES = {
  chat: { capability: "chat", categories: ["accuracy", "balanced"] },
  fastChat: { capability: "chat", categories: ["speed", "balanced"] },
  codeCompletion: { capability: "autocomplete", categories: ["speed", "balanced"] },
} as const satisfies Record<keyof DefaultModels, { capability: Capability; categories: readonly Category[] }>;

/**
 * Cody fills an empty or unknown default silently with the first model that fits. Tollgate fills only unset
 * defaults (with a warning naming the choice) and rejects unknown or capability-less ones with a suggestion.
 */
export function fixDefaults(
  models: readonly ResolvedModel[],
  requested: Partial<Record<keyof DefaultModels, string>>,
  report: Report,
): DefaultModels {
  const result: DefaultModels = { chat: null, fastChat: null, codeCompletion: null };
  const byRef = new Map(models.map((model) => [model.ref, model]));
  for (const feature of Object.keys(FEATURES) as (keyof DefaultModels)[]) {
    const { capability, categories } = FEATURES[feature];
    const path = ["modelConfiguration", "defaultModels", feature];
    const capable = models.filter((model) => model.capabilities.includes(capability));
    const ref = requested[feature];
    if (ref !== undefined && ref !== "") {
      const model = byRef.get(ref);
      if (!model) {
        const suggestion = closest(
          ref,
          (capable.length > 0 ? capable : models).map((m) => m.ref),
          Number.POSITIVE_INFINITY,
        );
        report(
          path,
          `unknown model \`${ref}\`${suggestion ? `; did you mean \`${suggestion}\`?` : "; no models are defined"}`,
          "error",
        );
      } else if (!model.capabilities.includes(capability)) {
        const suggestion = closest(
          ref,
          capable.map((m) => m.ref),
          Number.POSITIVE_INFINITY,
        );
        report(
          path,
          `model \`${ref}\` lacks the \`${capability}\` capability that ${feature} needs (it has ${model.capabilities.join(", ") || "none"})${suggestion ? `; did you mean \`${suggestion}\`?` : ""}`,
          "error",
        );
      } else result[feature] = ref;
      continue;
    }
    if (models.length === 0) continue;
    // Cody's rule, preferring models that can be served now; then any model with the capability.
    const fits = (model: ResolvedModel) => (categories as readonly string[]).includes(model.category);
    const chosen =
      capable.find((model) => model.available && fits(model)) ??
      capable.find(fits) ??
      capable.find((model) => model.available) ??
      capable[0];
    if (chosen) {
      result[feature] = chosen.ref;
      report(
        path,
        `not set; using \`${chosen.ref}\` (the first model with the \`${capability}\` capability)`,
        "warning",
      );
    } else {
      report(
        path,
        `not set, and no model has the \`${capability}\` capability; ${feature} requests need an explicit model`,
        "warning",
      );
    }
  }
  return result;
}
