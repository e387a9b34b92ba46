import type { Capability, Catalogue, ResolvedModel } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import type { Feature } from "../routing/feature.js";

/** The capability each operation needs from a model. */
export const requiredCapability = {
  chat: "chat",
  completions: "autocomplete",
  embeddings: "embeddings",
  countTokens: "chat",
  responses: "chat",
} as const satisfies Record<string, Capability>;

function defaultFor(catalogue: Catalogue, feature: Feature): string | null {
  return feature === "embeddings" ? null : catalogue.defaults[feature];
}

/**
 * The model a request names (DESIGN §5): a model ref, a model id unique among the models, or
 * `default` / nothing for the feature's default. Unknown → 404; known but unusable → 400/403.
 */
export function resolveModel(
  catalogue: Catalogue,
  requested: string | undefined,
  feature: Feature,
  capability: Capability,
): ResolvedModel {
  let model: ResolvedModel | undefined;
  if (requested === undefined || requested === "" || requested === "default") {
    const ref = defaultFor(catalogue, feature);
    if (!ref)
      throw new GatewayError(
        "invalid_request",
        `\`model\` is required: there is no default model for ${feature}`,
        { param: "model" },
      );
    model = catalogue.byRef(ref);
  } else if (requested.includes("::")) {
    model = catalogue.byRef(requested);
  } else {
    model = catalogue.byId(requested);
    if (!model) {
      const refs = catalogue.refsForId(requested);
      if (refs.length > 1) {
        throw new GatewayError(
          "invalid_request",
          `model \`${requested}\` is ambiguous; name one of ${refs.join(", ")}`,
          { param: "model" },
        );
      }
    }
  }
  if (!model)
    throw new GatewayError("model_not_found", `model \`${requested}\` does not exist`, { param: "model" });
  if (!model.capabilities.includes(capability)) {
    throw new GatewayError(
      "capability_missing",
      `model \`${model.ref}\` cannot serve this request: it lacks the \`${capability}\` capability (it has ${model.capabilities.join(", ")})`,
      { param: "model" },
    );
  }
  return model;
}
