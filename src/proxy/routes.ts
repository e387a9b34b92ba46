import type { TokenFamily } from "../auth/token.js";
import { codyRoutes, codyTokenRoutes } from "../ingress/cody/cody-routes.js";
import { type Ingress, ingresses } from "../ingress/registry.js";
import { handleCountTokens } from "./count-tokens-handler.js";
import { handleEmbeddings } from "./embeddings-handler.js";
import type { Exchange } from "./exchange.js";
import { handleGeneration } from "./generation-handler.js";
import { chatCompletions, completions, messages, responses } from "./generation-routes.js";
import type { ProxyDeps } from "./proxy-deps.js";

/** A client API route: POST only, answering in its ingress's shapes, served by the lane (src/server/lane/). */
export interface ProxyRoute {
  path: string;
  ingress: Ingress;
  handle(exchange: Exchange): Promise<void>;
  /**
   * Where two APIs share a path (`/v1/embeddings`: OpenAI's and Cody Gateway's), the route for a token family
   * other than Tollgate's own, chosen from the token's shape before authentication so even a 401 is in its shape.
   */
  forTokenFamily?: Partial<Record<Exclude<TokenFamily, "tollgate">, ProxyRoute>>;
}

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
