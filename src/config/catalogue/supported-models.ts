import type { Catalogue } from "./types.js";

/** The body of Sourcegraph's `supported-models.json` (cody.md §6.5): no server-side config, no secrets. */
export function toSupportedModelsJson(catalogue: Catalogue) {
  return {
    schemaVersion: "1.0",
    revision: catalogue.revision,
    providers: catalogue.providers.map((provider) => ({
      id: provider.id,
      displayName: provider.displayName,
    })),
    models: catalogue.models.map((model) => ({
      modelRef: model.ref,
      displayName: model.displayName,
      modelName: model.modelName,
      capabilities: [...model.capabilities],
      category: model.category,
      status: model.status,
      tier: model.tier,
      contextWindow: {
        maxInputTokens: model.contextWindow.maxInputTokens,
        maxOutputTokens: model.contextWindow.maxOutputTokens,
      },
      ...(model.clientSideConfig ? { clientSideConfig: model.clientSideConfig } : {}),
    })),
    defaultModels: {
      chat: catalogue.defaults.chat ?? "",
      fastChat: catalogue.defaults.fastChat ?? "",
      codeCompletion: catalogue.defaults.codeCompletion ?? "",
    },
  };
}
