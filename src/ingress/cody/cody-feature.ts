import type { IncomingHttpHeaders } from "node:http";
import { codyFeatureHeader as featureHeader } from "../../dialects/cody/cody-headers.js";
import { GatewayError } from "../../errors/index.js";
import type { Feature } from "../../routing/feature.js";

/** Cody Gateway's features (reference/cody.md §3.6) and Tollgate's feature each is limited and routed as. */
export const codyFeatures = {
  chat_completions: "chat",
  code_completions: "codeCompletion",
  embeddings: "embeddings",
} as const satisfies Record<string, Feature>;

export type CodyFeature = keyof typeof codyFeatures;

/** The features a completions route takes from `X-Sourcegraph-Feature` (embeddings has its own route). */
export type CompletionsFeature = "chat_completions" | "code_completions";

/**
 * The feature of a `/v1/completions/*` request, required as Cody requires it, with Cody's 400 texts
 * (reference/cody.md §1.3).
 */
export function completionsFeature(headers: IncomingHttpHeaders): CompletionsFeature {
  const header = headers[featureHeader];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value)
    throw new GatewayError("invalid_request", "X-Sourcegraph-Feature header is required", {
      param: featureHeader,
    });
  if (value === "chat_completions" || value === "code_completions") return value;
  throw new GatewayError("invalid_request", "invalid value for X-Sourcegraph-Feature", {
    param: featureHeader,
  });
}

/** Tollgate's feature in Cody's words, for Cody's texts (fastChat is limited as Cody's chat). */
export function codyFeatureName(feature: Feature | undefined): CodyFeature {
  switch (feature) {
    case "codeCompletion":
      return "code_completions";
    case "embeddings":
      return "embeddings";
    default:
      return "chat_completions";
  }
}
