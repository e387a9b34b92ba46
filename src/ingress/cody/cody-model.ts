import type { Capability, Catalogue, ResolvedModel } from "../../config/index.js";
import { GatewayError } from "../../errors/index.js";

/** Models by lower-cased id and modelName, built once per catalogue (a reload makes a new one). */
const indexes = new WeakMap<Catalogue, Map<string, ResolvedModel[]>>();

function indexOf(catalogue: Catalogue): Map<string, ResolvedModel[]> {
  let index = indexes.get(catalogue);
  if (index) return index;
  index = new Map();
  const add = (name: string, model: ResolvedModel) => {
    const key = name.toLowerCase();
    const list = index?.get(key);
    if (!list) index?.set(key, [model]);
    else if (!list.includes(model)) list.push(model);
  };
  for (const model of catalogue.models) {
    add(model.id, model);
    add(model.modelName, model);
  }
  indexes.set(catalogue, index);
  return index;
}

/** A model whose provider is the one the instance named (its id or type): the hint, not a constraint. */
function hinted(catalogue: Catalogue, model: ResolvedModel, hint: string | undefined): boolean {
  if (hint === undefined) return false;
  if (model.providerId.toLowerCase() === hint) return true;
  return catalogue.provider(model.providerId)?.type.toLowerCase() === hint;
}

/** Of the models a name matches: those with the capability first, then usable, then of the hinted provider. */
function best(
  catalogue: Catalogue,
  candidates: ResolvedModel[],
  capability: Capability,
  hint: string | undefined,
): ResolvedModel {
  let chosen = candidates[0] as ResolvedModel;
  let score = -1;
  for (const model of candidates) {
    const value =
      (model.capabilities.includes(capability) ? 4 : 0) +
      (model.available ? 2 : 0) +
      (hinted(catalogue, model, hint) ? 1 : 0);
    // Ties keep config order.
    if (value > score) {
      chosen = model;
      score = value;
    }
  }
  return chosen;
}

/**
 * The Tollgate model a Sourcegraph instance's model name means: `anthropic/claude-3-5-sonnet-latest`, or the bare
 * name, matched case-insensitively against each configured model's id and `modelName`. The `provider/` prefix only
 * breaks ties: the instance's "anthropic" request may be served by a Bedrock or Vertex model. A name that is
 * itself a model id with slashes (Fireworks' `accounts/fireworks/models/…`) is tried whole first. A Tollgate model
 * ref is taken as it is. Unknown: 404 naming the model.
 */
export function codyModelRef(
  catalogue: Catalogue,
  requested: string | undefined,
  capability: Capability,
): string | undefined {
  if (requested === undefined || requested === "" || requested.includes("::")) return requested;
  const index = indexOf(catalogue);
  const whole = index.get(requested.toLowerCase());
  if (whole) return best(catalogue, whole, capability, undefined).ref;
  const slash = requested.indexOf("/");
  if (slash > 0) {
    const named = index.get(requested.slice(slash + 1).toLowerCase());
    if (named) return best(catalogue, named, capability, requested.slice(0, slash).toLowerCase()).ref;
  }
  throw new GatewayError("model_not_found", `model "${requested}" is not known to this gateway`, {
    param: "model",
  });
}
