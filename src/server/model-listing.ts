import type { Catalogue, ResolvedModel } from "../config/index.js";
import { toSupportedModelsJson } from "../config/index.js";
import type { ModelListing } from "./routes/models.js";

/** OpenAI's model object, plus what editors need to offer the model sensibly. */
function modelEntry(model: ResolvedModel, created: number) {
  return {
    id: model.ref,
    object: "model",
    created,
    owned_by: model.providerId,
    displayName: model.displayName,
    modelName: model.modelName,
    capabilities: model.capabilities,
    category: model.category,
    status: model.status,
    contextWindow: model.contextWindow,
  };
}

/**
 * Precomputes the model routes' answers for one catalogue. Models whose provider has no
 * usable credentials are left out: they cannot serve a request.
 */
export function buildModelListing(catalogue: Catalogue): ModelListing {
  const created = Math.floor(Date.now() / 1000);
  const available = catalogue.models.filter((model) => model.available);
  const entries = new Map(available.map((model) => [model.ref, modelEntry(model, created)]));
  const supported = toSupportedModelsJson(catalogue);
  const availableRefs = new Set(entries.keys());
  return {
    list: { object: "list", data: [...entries.values()] },
    find(idOrRef) {
      const byRef = entries.get(idOrRef);
      if (byRef) return { model: byRef };
      const refs = catalogue.refsForId(idOrRef).filter((ref) => availableRefs.has(ref));
      if (refs.length > 1) return { ambiguous: [...refs] };
      const only = refs[0] === undefined ? undefined : entries.get(refs[0]);
      return only ? { model: only } : undefined;
    },
    modelConfig: {
      ...supported,
      providers: supported.providers.filter((provider) => catalogue.provider(provider.id)?.available),
      models: supported.models.filter((model) => availableRefs.has(model.modelRef)),
    },
  };
}
