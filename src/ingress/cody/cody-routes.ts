import type { Capability } from "../../config/index.js";
import { codyFeatureHeader } from "../../dialects/cody/cody-headers.js";
import { GatewayError } from "../../errors/index.js";
import type { Exchange } from "../../proxy/exchange.js";
import { handleGeneration } from "../../proxy/generation-handler.js";
import type { GenerationRoute, IngressModels } from "../../proxy/generation-route.js";
import {
  anthropicLegacy,
  chatCompletions,
  completions,
  geminiGenerate,
  messages,
} from "../../proxy/generation-routes.js";
import type { ProxyDeps } from "../../proxy/proxy-deps.js";
import type { ProxyRoute } from "../../proxy/proxy-route.js";
import type { Feature } from "../../routing/feature.js";
import { prepareFireworksBody, prepareMessagesBody, prepareOpenAIBody } from "./cody-bodies.js";
import { handleCodyEmbeddings } from "./cody-embeddings-handler.js";
import { type CompletionsFeature, completionsFeature } from "./cody-feature.js";
import { codyIngress } from "./cody-ingress.js";
import { codyModelRef } from "./cody-model.js";

/** Cody's model names, and the header that tells the instance which model served it. */
const codyModels: IngressModels = {
  ref: codyModelRef,
  resolved: (routed, exchange) =>
    exchange.header("x-cody-resolved-model", `${routed.provider.id}/${routed.model.modelName}`),
};

/**
 * The capability a Cody feature needs from its model, whatever the route's body shape: an instance's code
 * completions over `/v1/completions/anthropic-messages` (a chat body) go to a model declared for autocomplete.
 */
const featureCapability = {
  chat: "chat",
  codeCompletion: "autocomplete",
} as const satisfies Partial<Record<Feature, Capability>>;

function cody(spec: GenerationRoute, feature: keyof typeof featureCapability): GenerationRoute {
  return { ...spec, feature, capability: featureCapability[feature], models: codyModels };
}

/** A Cody Gateway completions route: the body shape each feature takes, and Cody's own changes to the body. */
interface CompletionsRoute {
  path: string;
  /** The upstream's name in Cody's "not supported" text. */
  vendor: string;
  features: Partial<Record<CompletionsFeature, GenerationRoute>>;
  prepare?(body: unknown): void;
}

/**
 * Cody Gateway's completions routes (reference/cody.md §1.2, §4.2). Each reaches whatever model Tollgate has for
 * the name, through the canonical path (limits, usage, key policy), and answers in the route's dialect.
 * A route is a line here: `/v1/completions/anthropic` and `/v1/completions/google` join with their parsers.
 */
const completionsRoutes: CompletionsRoute[] = [
  {
    path: "/v1/completions/anthropic-messages",
    vendor: "Anthropic",
    features: {
      chat_completions: cody(messages, "chat"),
      code_completions: cody(messages, "codeCompletion"),
    },
    prepare: prepareMessagesBody,
  },
  {
    path: "/v1/completions/openai",
    vendor: "OpenAI",
    features: { chat_completions: cody(chatCompletions, "chat") },
    prepare: prepareOpenAIBody,
  },
  {
    path: "/v1/completions/fireworks",
    vendor: "Fireworks",
    features: {
      chat_completions: cody(chatCompletions, "chat"),
      code_completions: cody(completions, "codeCompletion"),
    },
    prepare: prepareFireworksBody,
  },
  {
    path: "/v1/completions/anthropic",
    vendor: "Anthropic",
    features: {
      chat_completions: cody(anthropicLegacy, "chat"),
      code_completions: cody(anthropicLegacy, "codeCompletion"),
    },
  },
  {
    path: "/v1/completions/google",
    vendor: "Google",
    features: {
      chat_completions: cody(geminiGenerate, "chat"),
      code_completions: cody(geminiGenerate, "codeCompletion"),
    },
  },
];

function handleCompletions(deps: ProxyDeps, route: CompletionsRoute, exchange: Exchange): Promise<void> {
  const feature = completionsFeature(exchange.headers);
  const spec = route.features[feature];
  if (!spec) {
    throw new GatewayError(
      "invalid_request",
      `feature "${feature}" is currently not supported for ${route.vendor}`,
      { param: codyFeatureHeader },
    );
  }
  route.prepare?.(exchange.body);
  return handleGeneration(deps, spec, exchange);
}

/** The Cody Gateway routes of their own paths. */
export function codyRoutes(deps: ProxyDeps): ProxyRoute[] {
  return completionsRoutes.map((route) => ({
    path: route.path,
    ingress: codyIngress,
    handle: (exchange: Exchange) => handleCompletions(deps, route, exchange),
  }));
}

/** Cody's side of the paths it shares with OpenAI's API, taken by a Cody token (`slk_`, `sgs_`). */
export function codyTokenRoutes(deps: ProxyDeps): { embeddings: ProxyRoute } {
  return {
    embeddings: {
      path: "/v1/embeddings",
      ingress: codyIngress,
      handle: (exchange) => handleCodyEmbeddings(deps, exchange),
    },
  };
}
