import type { FieldError, ParseResult, TranslationWarning } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import type { ResolvedModel, ResolvedProvider } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import { providerDefinition } from "../providers/registry.js";
import type { Operation, ProviderCall, ProviderDefinition } from "../providers/types.js";
import { type Feature, featureHeader, requestFeature } from "../routing/feature.js";
import type { ProxyDeps } from "./proxy-deps.js";
import { requiredCapability, resolveModel } from "./resolve-model.js";

/** The API dialect a client speaks on a route. */
export type ClientDialect = "openai" | "anthropic";

export interface Routed<T> {
  parsed: T;
  feature: Feature;
  model: ResolvedModel;
  provider: ResolvedProvider;
  definition: ProviderDefinition;
  credential: ProviderCall["credential"];
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

/** Credential modes the request path can use today; the rest arrive with their issues. */
const supportedModes = new Set(["config-key", "environment", "headers", "none"]);

/**
 * From the parsed request to the provider that serves it: feature, model (404/400), provider
 * adapter (501 for types not built yet) and credential (403 when a personal key is needed).
 */
export function route<T extends { model: string | undefined }>(
  deps: ProxyDeps,
  parsed: T,
  routeFeature: Feature,
  operation: Operation,
  headers: Record<string, string | string[] | undefined>,
): Routed<T> {
  const feature = requestFeature(routeFeature, headers[featureHeader]);
  if (typeof feature !== "string")
    throw new GatewayError("invalid_request", feature.error, { param: featureHeader });
  const catalogue = deps.catalogue();
  const model = resolveModel(catalogue, parsed.model, feature, requiredCapability[operation]);
  const provider = catalogue.provider(model.providerId);
  if (!provider) throw new GatewayError("internal_error", `model ${model.ref} has no provider`);
  const definition = providerDefinition(provider.type);
  if (!definition) {
    throw new GatewayError(
      "not_implemented",
      `provider \`${provider.id}\` (type ${provider.type}) is not supported by this Tollgate version yet`,
    );
  }
  if (!provider.available) {
    if (provider.keyPolicy.allowUserKeys) {
      throw new GatewayError(
        "no_usable_key",
        `provider \`${provider.id}\` needs your personal API key; save one to use model \`${model.ref}\``,
      );
    }
    throw new GatewayError(
      "gateway_unavailable",
      `provider \`${provider.id}\` has no usable credentials: ${provider.unavailableReason ?? "ask an administrator"}`,
    );
  }
  if (!supportedModes.has(provider.credentialMode)) {
    throw new GatewayError(
      "not_implemented",
      `provider \`${provider.id}\` authenticates with ${provider.credentialMode}, which this Tollgate version does not support yet`,
    );
  }
  return { parsed, feature, model, provider, definition, credential: provider.centralKey };
}

/** Default timeouts: reasoning models may think for minutes before the first byte and between chunks. */
export function timeoutsFor(
  model: ResolvedModel,
  provider: ResolvedProvider,
): { connectTimeoutMs: number | undefined; firstByteTimeoutMs: number; idleTimeoutMs: number } {
  const reasoning = model.capabilities.includes("reasoning");
  return {
    connectTimeoutMs: model.timeouts?.connect ?? provider.timeouts?.connect,
    firstByteTimeoutMs:
      model.timeouts?.firstByte ?? provider.timeouts?.firstByte ?? (reasoning ? 600_000 : 120_000),
    idleTimeoutMs: model.timeouts?.idle ?? provider.timeouts?.idle ?? (reasoning ? 300_000 : 60_000),
  };
}

export type { CanonicalRequest };
