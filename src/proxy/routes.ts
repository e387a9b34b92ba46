import { codyRoutes, codyTokenRoutes } from "../ingress/cody/cody-routes.js";
import { ingresses } from "../ingress/registry.js";
import { handleCountTokens } from "./count-tokens-handler.js";
import { handleEmbeddings } from "./embeddings-handler.js";
import { handleGeneration } from "./generation-handler.js";
import { chatCompletions, completions, messages, responses } from "./generation-routes.js";
import type { ProxyDeps } from "./proxy-deps.js";
import type { ProxyRoute } from "./proxy-route.js";

export type { ProxyRoute } from "./proxy-route.js";

/** The client API routes (DESIGN §5), Cody Gateway's included. */
export function proxyRoutes(deps: ProxyDeps): ProxyRoute[] {
  const cody = codyTokenRoutes(deps);
  return [
    {
      path: "/v1/chat/completions",
      ingress: ingresses.openai,
      handle: (exchange) => handleGeneration(deps, chatCompletions, exchange),
    },
    {
      path: "/v1/completions",
      ingress: ingresses.openai,
      handle: (exchange) => handleGeneration(deps, completions, exchange),
    },
    {
      path: "/v1/embeddings",
      ingress: ingresses.openai,
      handle: (exchange) => handleEmbeddings(deps, exchange),
      forTokenFamily: { cody: cody.embeddings },
    },
    {
      path: "/v1/responses",
      ingress: ingresses["openai-responses"],
      handle: (exchange) => handleGeneration(deps, responses, exchange),
    },
    {
      path: "/v1/messages",
      ingress: ingresses.anthropic,
      handle: (exchange) => handleGeneration(deps, messages, exchange),
    },
    {
      path: "/v1/messages/count_tokens",
      ingress: ingresses.anthropic,
      handle: (exchange) => handleCountTokens(deps, exchange),
    },
    ...codyRoutes(deps),
  ];
}
