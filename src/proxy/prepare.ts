import { isModelAllowed } from "../auth/actor.js";
import type { FieldError, ParseResult, TranslationWarning } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import type { Capability, ResolvedModel, ResolvedProvider } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import { providerDefinition } from "../providers/registry.js";
import type { ProviderCall, ProviderDefinition, Wire } from "../providers/types.js";
import { type Feature, featureHeader, requestFeature } from "../routing/feature.js";
import type { Exchange } from "./exchange.js";
import type { ProxyDeps } from "./proxy-deps.js";
import { resolveModel } from "./resolve-model.js";

export interface Routed<T> {
  parsed: T;
  feature: Feature;
  model: ResolvedModel;
  provider: ResolvedProvider;
  definition: ProviderDefinition;
  /** What the provider speaks for this model: the dialect to pass through to or translate into, and its framing. */
  wire: Wire;
  credential: ProviderCall["credential"];
  /** The request's id, passed on to upstreams that are gateways (ProviderCall.requestId). */
  requestId: string;
}

/** A translator's field error as a 400 that names the field (once: messages may already start with it). */
export function fieldError(error: FieldError): GatewayError {
  const message = error.message.startsWith(error.field) ? error.message : `${error.field}: ${error.message}`;
  return new GatewayError("invalid_request", message, { param: error.field });
}

/** Turns a dialect parser's result into the request, or a 400 that names the field. */
export function parsedOrThrow<T>(result: ParseResult<T>): { request: T; warnings: TranslationWarning[] } {
  if (result.ok) return result;
  throw fieldError(result.error);
}

/** The request names its model (rather than asking for a feature's default). */
function namesModel(model: string | undefined): boolean {
  return model !== undefined && model !== "" && model !== "default";
}

/**
 * From the parsed request to the provider that serves it, for every route that reaches an upstream:
 * feature, model (404/400), authorization (403: the actor's allowed models), provider adapter (501 for types
 * not built yet) and credential (403 when a personal key is needed, 503 when the provider has none). What it learns goes into the outcome.
 */
export function route<T extends { model: string | undefined }>(
  deps: ProxyDeps,
  parsed: T,
  routeFeature: Feature,
  capability: Capability,
  exchange: Pick<Exchange, "headers" | "principal" | "outcome">,
): Routed<T> {
  const requested = requestFeature(routeFeature, exchange.headers[featureHeader]);
  if (typeof requested !== "string")
    throw new GatewayError("invalid_request", requested.error, { param: featureHeader });
  // The header chooses a feature, and so its limits, only where it chose the model (DESIGN §5): a request that
  // names its model counts under its route's feature, whatever the header says.
  const feature = namesModel(parsed.model) ? routeFeature : requested;
  const outcome = exchange.outcome;
  outcome.feature = feature;
  const catalogue = deps.catalogue();
  const model = resolveModel(catalogue, parsed.model, feature, capability);
  outcome.modelRef = model.ref;
  outcome.providerId = model.providerId;
  outcome.pricing = model.pricing;
  const actor = exchange.principal?.actor;
  if (actor && !isModelAllowed(actor, model.ref)) {
    throw new GatewayError(
      "model_not_allowed",
      `model \`${model.ref}\` is not among the models allowed for ${actor.name}`,
      {
        param: "model",
      },
    );
  }
  const provider = catalogue.provider(model.providerId);
  if (!provider) throw new GatewayError("internal_error", `model ${model.ref} has no provider`);
  const definition = providerDefinition(provider.type);
  if (!definition) {
    throw new GatewayError(
      "not_implemented",
      `provider \`${provider.id}\` (type ${provider.type}) is not supported by this Tollgate version yet`,
    );
  }
  // Resolve the credential (DESIGN §2): the key policy picks the caller's own key or a central one (403/503).
  const decision = deps.credentials.resolve(actor?.id ?? exchange.principal?.actorId, provider);
  if (!decision.ok) throw decision.error;
  outcome.credential = decision.credential.origin;
  return {
    parsed,
    feature,
    model,
    provider,
    definition,
    wire: definition.wire(provider, model),
    credential: decision.credential,
    requestId: outcome.requestId,
  };
}

/** Default timeouts: reasoning models may think for minutes before the first byte and between chunks. */
export function timeoutsFor(
  model: ResolvedModel,
  provider: ResolvedProvider,
): {
  connectTimeoutMs: number | undefined;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  totalMs: number;
} {
  const reasoning = model.capabilities.includes("reasoning");
  return {
    // Generous: a long answer of a slow model at 32k output tokens takes about 20 minutes.
    totalMs: model.timeouts?.total ?? provider.timeouts?.total ?? (reasoning ? 3_600_000 : 1_800_000),
    connectTimeoutMs: model.timeouts?.connect ?? provider.timeouts?.connect,
    firstByteTimeoutMs:
      model.timeouts?.firstByte ?? provider.timeouts?.firstByte ?? (reasoning ? 600_000 : 120_000),
    idleTimeoutMs: model.timeouts?.idle ?? provider.timeouts?.idle ?? (reasoning ? 300_000 : 60_000),
  };
}

export type { CanonicalRequest };
