import type { Catalogue, DefaultModels, ResolvedModel, ResolvedProvider } from "./types.js";

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Builds the immutable catalogue with its lookup tables; called once per config load. */
export function createCatalogue(
  providers: ResolvedProvider[],
  models: ResolvedModel[],
  defaults: DefaultModels,
  revision: string,
): Catalogue {
  const refs = new Map(models.map((model) => [model.ref, model]));
  const ids = new Map<string, ResolvedModel[]>();
  for (const model of models) ids.set(model.id, [...(ids.get(model.id) ?? []), model]);
  const providerById = new Map(providers.map((provider) => [provider.id, provider]));
  return deepFreeze({
    revision,
    providers,
    models,
    defaults,
    byRef: (ref: string) => refs.get(ref),
    byId: (id: string) => {
      const matches = ids.get(id);
      return matches?.length === 1 ? matches[0] : undefined;
    },
    refsForId: (id: string) => (ids.get(id) ?? []).map((model) => model.ref),
    provider: (id: string) => providerById.get(id),
  });
}
