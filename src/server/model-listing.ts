import { type Actor, isModelAllowed } from "../auth/actor.js";
import type { Catalogue, DefaultModels, ResolvedModel, ResolvedProvider } from "../config/index.js";
import { toSupportedModelsJson } from "../config/index.js";
import type { ListedModel, ModelListing, ModelView } from "./routes/models.js";

/** OpenAI's model object, plus what editors need to offer the model sensibly. */
function openaiEntry(model: ResolvedModel, created: number) {
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

/** Anthropic's model object (`GET /v1/models` with `anthropic-version`); the ref is the id a request may name. */
function anthropicEntry(model: ResolvedModel, createdAt: string) {
  return {
    type: "model",
    id: model.ref,
    display_name: model.displayName,
    created_at: createdAt,
    max_input_tokens: model.contextWindow.maxInputTokens,
    max_tokens: model.contextWindow.maxOutputTokens,
  };
}

type SupportedModels = ReturnType<typeof toSupportedModelsJson>;

/** The answers for one set of models, all computed up front. */
function buildView(
  catalogue: Catalogue,
  models: readonly ResolvedModel[],
  entries: ReadonlyMap<string, ListedModel>,
  supported: SupportedModels,
): ModelView {
  const listed = models.map((model) => entries.get(model.ref)!);
  const refs = new Set(models.map((model) => model.ref));
  const providers = new Set(models.map((model) => model.providerId));
  // A default the caller may not use is left empty, as Cody writes an unset default: substituting another
  // model would misdescribe what `model: "default"` does for this caller, and naming it would reveal it.
  const usable = (ref: string | null) => (ref !== null && refs.has(ref) ? ref : "");
  const defaults = catalogue.defaults;
  return {
    list: { object: "list", data: listed.map((entry) => entry.openai) },
    anthropicList: {
      data: listed.map((entry) => entry.anthropic),
      has_more: false,
      first_id: models[0]?.ref ?? null,
      last_id: models.at(-1)?.ref ?? null,
    },
    find(idOrRef) {
      const byRef = refs.has(idOrRef) ? entries.get(idOrRef) : undefined;
      if (byRef) return { model: byRef };
      const matches = catalogue.refsForId(idOrRef).filter((ref) => refs.has(ref));
      if (matches.length > 1) return { ambiguous: [...matches] };
      const only = matches[0] === undefined ? undefined : entries.get(matches[0]);
      return only ? { model: only } : undefined;
    },
    modelConfig: {
      ...supported,
      providers: supported.providers.filter((provider) => providers.has(provider.id)),
      models: supported.models.filter((model) => refs.has(model.modelRef)),
      defaultModels: {
        chat: usable(defaults.chat),
        fastChat: usable(defaults.fastChat),
        codeCompletion: usable(defaults.codeCompletion),
      } satisfies Record<keyof DefaultModels, string>,
    },
  };
}

/** Whether a caller can use a provider's models now (the credential step: its key policy and saved keys). */
export type ProviderUsable = (actorId: string | undefined, provider: ResolvedProvider) => boolean;

/**
 * Precomputes the model routes' answers for one catalogue. A caller sees the models it may use now: within
 * its `allowedModels`, not blocked, and with a credential the key policy gives it (a central key, or its own).
 * Views are built on first use and kept per `allowedModels` list (as long as that actor lives) and per set of
 * usable providers, so a request costs a lookup and a few policy checks.
 */
export function buildModelListing(catalogue: Catalogue, usable: ProviderUsable): ModelListing {
  const created = Math.floor(Date.now() / 1000);
  const createdAt = new Date(created * 1000).toISOString().replace(".000Z", "Z");
  const candidates = catalogue.models.filter(
    (model) => catalogue.provider(model.providerId)?.blockedReason === undefined,
  );
  const entries = new Map<string, ListedModel>(
    candidates.map((model) => [
      model.ref,
      { openai: openaiEntry(model, created), anthropic: anthropicEntry(model, createdAt) },
    ]),
  );
  const supported = toSupportedModelsJson(catalogue);
  const providers = catalogue.providers.filter((provider) =>
    candidates.some((model) => model.providerId === provider.id),
  );
  // No actor (hand-built principals in tests) is what admission treats as unrestricted, too.
  const unrestricted: readonly string[] = [];
  const views = new WeakMap<readonly string[], Map<string, ModelView>>();
  return {
    forActor(actor: Actor | undefined) {
      const usableIds = providers
        .filter((provider) => usable(actor?.id, provider))
        .map((provider) => provider.id);
      const signature = usableIds.join("\u0000");
      const allowedKey = actor?.allowedModels ?? unrestricted;
      const byUsable = views.get(allowedKey) ?? new Map<string, ModelView>();
      views.set(allowedKey, byUsable);
      let view = byUsable.get(signature);
      if (!view) {
        const ids = new Set(usableIds);
        const models = candidates.filter(
          (model) => ids.has(model.providerId) && (!actor || isModelAllowed(actor, model.ref)),
        );
        view = buildView(catalogue, models, entries, supported);
        byUsable.set(signature, view);
      }
      return view;
    },
  };
}
