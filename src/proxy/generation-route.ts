import type { ParseResult } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import type { Capability, Catalogue } from "../config/index.js";
import type { Dialect } from "../dialects/dialect.js";
import type { UnparsedPassThrough } from "../dialects/envelope.js";
import type { Feature } from "../routing/feature.js";
import type { Exchange } from "./exchange.js";
import type { Routed } from "./prepare.js";
import type { RouteOperation } from "./upstream-plan.js";

/** One generation route: its dialect, what it does, and its parser. */
export interface GenerationRoute {
  dialect: Dialect;
  operation: RouteOperation;
  feature: Feature;
  /**
   * The capability the model needs, when the feature decides it rather than the operation (Cody's code
   * completions on a chat-shaped route need `autocomplete`); unset, the operation's.
   */
  capability?: Capability;
  parse(body: unknown): ParseResult<CanonicalRequest>;
  /**
   * How a body the strict parser refused (non-fatally) still reaches a same-dialect upstream: what routing and
   * limits need (model, stream, max tokens, an input estimate), and the fatal checks the parser did not reach.
   */
  unparsed?: UnparsedPassThrough;
  /** How the route's clients name models, when not as Tollgate refs or ids (Cody's `anthropic/claude-…`). */
  models?: IngressModels;
  /**
   * The refusal of more output tokens than the model allows, for routes whose API refuses them (Cody's legacy
   * Anthropic route) rather than lowering them to the maximum.
   */
  aboveMaxTokens?(maximum: number, asked: number): string;
}

/** An ingress's model names: turned into a Tollgate ref before routing, and announced once resolved. */
export interface IngressModels {
  /** The ref (or anything `route()` resolves) for the name the client sent; throws a GatewayError when unknown. */
  ref(catalogue: Catalogue, requested: string | undefined, capability: Capability): string | undefined;
  /** Response headers naming the model that serves the request (Cody's `x-cody-resolved-model`). */
  resolved?(routed: Routed<CanonicalRequest>, exchange: Pick<Exchange, "header">): void;
}
