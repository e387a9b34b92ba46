/**
 * How a Sourcegraph instance reaches Cody Gateway (reference/cody.md §7.1), and so how Tollgate does: the model's
 * Cody Gateway provider (its model ref's provider id, or `serverSideConfig.gatewayProvider`) picks the route, and
 * the route's dialect is what the body is written in and the answer read from.
 */
import type { ResolvedModel } from "../../config/index.js";
import {
  CODY_GATEWAY_PROVIDERS,
  type CodyGatewayProvider,
  codyProviderMismatch,
} from "../../config/schema/model-configuration.js";
import { GatewayError } from "../../errors/index.js";
import type { ProviderCall, Wire } from "../types.js";

export interface CodyGatewayRoute {
  /** Path under the endpoint's `/v1`. */
  path: string;
  wire: Wire;
  /** Cody Gateway's Fireworks route sends `code_completions` to Fireworks' legacy completions: it takes a prompt. */
  takesPrompt: boolean;
  /** The `X-Sourcegraph-Feature` of one call. */
  feature(call: ProviderCall): SourcegraphFeature;
}

export type SourcegraphFeature = "chat_completions" | "code_completions";

const sse = (dialect: Wire["dialect"]): Wire => Object.freeze({ dialect, framing: "sse" });

/** The feature of the request: Cody meters autocomplete and chat apart. */
const byFeature = (call: ProviderCall): SourcegraphFeature =>
  call.feature === "codeCompletion" ? "code_completions" : "chat_completions";

const fireworks: CodyGatewayRoute = {
  path: "/completions/fireworks",
  wire: sse("openai"),
  takesPrompt: true,
  // The feature decides where Cody Gateway sends the body: chat to chat completions, code to completions.
  feature: (call) => (call.operation === "completions" ? "code_completions" : "chat_completions"),
};

export const codyGatewayRoutes: Record<CodyGatewayProvider, CodyGatewayRoute> = {
  anthropic: {
    path: "/completions/anthropic-messages",
    wire: sse("anthropic"),
    takesPrompt: false,
    feature: byFeature,
  },
  // Cody Gateway refuses `code_completions` on its OpenAI route (cody.md §4.2).
  openai: {
    path: "/completions/openai",
    wire: sse("openai"),
    takesPrompt: false,
    feature: () => "chat_completions",
  },
  fireworks,
  mistral: fireworks,
  // Gemini's body plus `model` and a routing-only `stream` flag; answered as Gemini answers (SSE when streaming).
  google: { path: "/completions/google", wire: sse("gemini"), takesPrompt: false, feature: byFeature },
};

const known = new Set<string>(CODY_GATEWAY_PROVIDERS);

/** The Cody Gateway provider a model is served by. */
export function gatewayProviderOf(model: ResolvedModel): string {
  const config = model.serverSideConfig;
  return config?.type === "sourcegraph" ? config.gatewayProvider : model.providerId;
}

/**
 * The route of a model. Models from the file are checked at load; one that reaches here without a route (a
 * self-hosted model on a `sourcegraph` provider) is refused with Cody's message.
 */
export function codyGatewayRoute(model: ResolvedModel): CodyGatewayRoute {
  const provider = gatewayProviderOf(model);
  if (known.has(provider)) return codyGatewayRoutes[provider as CodyGatewayProvider];
  throw new GatewayError("not_implemented", `model \`${model.ref}\`: ${codyProviderMismatch(provider)}`);
}
