import type { TokenFamily } from "../auth/token.js";
import type { Ingress } from "../ingress/ingress.js";
import type { Exchange } from "./exchange.js";

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
