import { type Actor, isModelAllowed } from "../auth/actor.js";
import type { Principal } from "../auth/principal.js";
import { roleAllows } from "../auth/roles.js";
import type { Catalogue, KeyPolicy, ResolvedModel, ResolvedProvider } from "../config/index.js";
import type { CredentialOrigin } from "../credentials/call-credential.js";
import type { CredentialDecision } from "../credentials/credential-resolver.js";
import type { PolicyRow } from "../credentials/key-policy.js";
import { GatewayError } from "../errors/index.js";
import { providerDefinition } from "../providers/registry.js";
import type { Operation } from "../providers/types.js";
import { newOutcome, type RequestOutcome } from "../proxy/outcome.js";
import { route } from "../proxy/prepare.js";
import type { CredentialStep, ProxyDeps } from "../proxy/proxy-deps.js";
import { requiredCapability } from "../proxy/resolve-model.js";
import { type Feature, featureHeader } from "../routing/feature.js";
import { explainLimits, type LimitsDeps, type LimitsExplained } from "./explain-limits.js";
import { type EndpointView, explainEndpoints } from "./explain-upstream.js";

export interface ExplainDeps extends LimitsDeps {
  catalogue: () => Catalogue;
  credentials: CredentialStep;
  /** The running ActorDirectory's lookup (config and store actors). */
  findActor: (id: string) => Promise<Actor | undefined>;
}

export interface ExplainQuery {
  actor: string;
  model: string;
  feature?: Feature | undefined;
}

/** The steps of the request path (DESIGN §2) in the order it takes them: the target is built after admission. */
export type Step = "authenticate" | "model" | "authorize" | "provider" | "credential" | "limits" | "upstream";

/** The first step that refuses, and what the client would get. */
export interface Refusal {
  step: Step;
  code: string;
  status: number;
  message: string;
  retryAfterSeconds?: number;
}

export interface ModelExplained {
  requested: string;
  /** How the name resolved (DESIGN §5): a model ref, a unique model id, or the feature's default. */
  resolvedBy: "ref" | "id" | "default";
  ref: string;
  displayName: string;
  providerId: string;
  capabilities: string[];
  allowed: boolean;
  allowedModels: string[];
}

export interface CredentialExplained {
  keyPolicy: KeyPolicy;
  /** The key policy's row (1 to 7) for this caller. */
  row?: PolicyRow;
  origin?: CredentialOrigin;
  mode?: string;
  region?: string;
  /** Why there is no usable credential. */
  problem?: string;
}

export interface Explanation {
  actor: { id: string; name: string; role: string; status: string; source: string };
  /** The feature the request counts under (a named model counts under its route's feature). */
  feature: Feature;
  route: string;
  model: ModelExplained | null;
  provider: { id: string; type: string; displayName: string; supported: boolean } | null;
  credential: CredentialExplained | null;
  upstream: { operation: Operation; endpoints: EndpointView[] } | null;
  limits: LimitsExplained;
  admitted: boolean;
  refusal?: Refusal;
}

/** A feature's requests as the request path sees them (DESIGN §5): fastChat is chat's route with the header. */
const routes = {
  chat: { path: "/v1/chat/completions", feature: "chat", operation: "chat" },
  fastChat: { path: "/v1/chat/completions", feature: "chat", operation: "chat", header: "fastChat" },
  codeCompletion: { path: "/v1/completions", feature: "codeCompletion", operation: "completions" },
  embeddings: { path: "/v1/embeddings", feature: "embeddings", operation: "embeddings" },
} satisfies Record<Feature, { path: string; feature: Feature; operation: Operation; header?: Feature }>;

// Explaining decides as the request path would, and sends nothing.
const noUpstream: ProxyDeps["upstream"] = {
  send: () => Promise.reject(new Error("explain sends nothing upstream")),
  close: async () => {},
  destroy: async () => {},
};

const refusalOf = (step: Step, error: GatewayError): Refusal => ({
  step,
  code: error.code,
  status: error.status,
  message: error.message,
  ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
});

/**
 * For an actor and a model, what a request would meet now, without sending it: the request path's own `route()`
 * decides model, authorization, provider and credential; the provider's `target()` says where the call goes and
 * how it authenticates; the limiter is only read. Never contains a key. An unknown actor or model is a 404 and
 * an unusable `model` value a 400: they are questions that cannot be answered, not refusals.
 */
export async function explain(deps: ExplainDeps, query: ExplainQuery): Promise<Explanation> {
  const actor = await deps.findActor(query.actor);
  if (!actor) throw new GatewayError("not_found", `no actor \`${query.actor}\``, { param: "actor" });
  const via = routes[query.feature ?? "chat"];
  const catalogue = deps.catalogue();
  const refusals: Refusal[] = [];
  const authentication = authenticationRefusal(actor);
  if (authentication) refusals.push(authentication);

  const outcome = newOutcome("explain", via.path, "openai");
  const routing = routeRefusal(deps, catalogue, actor, query.model, via, outcome);
  if (routing) refusals.push(routing);
  const model = outcome.modelRef ? catalogue.byRef(outcome.modelRef) : undefined;
  const provider = model ? catalogue.provider(model.providerId) : undefined;
  const definition = provider ? providerDefinition(provider.type) : undefined;
  const decision = provider ? deps.credentials.resolve(actor.id, provider) : undefined;

  const feature = outcome.feature ?? via.feature;
  const limits = await explainLimits(deps, actor, feature);
  if (limits.refusal) refusals.push({ step: "limits", ...limits.refusal });

  let upstream: Explanation["upstream"] = null;
  if (model && provider && definition && decision?.ok) {
    try {
      const call = { provider, model, operation: via.operation, credential: decision.credential };
      upstream = { operation: via.operation, endpoints: explainEndpoints(definition, call) };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      refusals.push(refusalOf("upstream", error));
    }
  }

  const refusal = refusals[0];
  return {
    actor: { id: actor.id, name: actor.name, role: actor.role, status: actor.status, source: actor.source },
    feature,
    route: `POST ${via.path}`,
    model: model ? modelExplained(query.model, model, actor) : null,
    provider: provider
      ? {
          id: provider.id,
          type: provider.type,
          displayName: provider.displayName,
          supported: definition !== undefined,
        }
      : null,
    credential: provider && decision ? credentialExplained(provider, decision) : null,
    upstream,
    limits: limits.view,
    admitted: refusal === undefined,
    ...(refusal ? { refusal } : {}),
  };
}

/** What authentication would say to the actor's tokens on a client route (src/server/auth-hook.ts). */
function authenticationRefusal(actor: Actor): Refusal | undefined {
  // The directory does not authenticate a disabled actor's tokens: they are refused as unknown ones.
  if (actor.status !== "active") {
    return refusalOf(
      "authenticate",
      new GatewayError("unauthenticated", `actor \`${actor.id}\` is disabled`),
    );
  }
  if (!roleAllows(actor.role, "client")) {
    const error = new GatewayError("forbidden", `the ${actor.role} role may not use this route`);
    return refusalOf("authenticate", error);
  }
  return undefined;
}

/**
 * Runs the request path's `route()` for the actor. It fills the outcome as it goes (feature, then model), which
 * says where it stopped. An unknown, ambiguous or missing model is rethrown: the question cannot be answered.
 */
function routeRefusal(
  deps: ExplainDeps,
  catalogue: Catalogue,
  actor: Actor,
  model: string,
  via: (typeof routes)[Feature],
  outcome: RequestOutcome,
): Refusal | undefined {
  const proxy: ProxyDeps = {
    catalogue: () => catalogue,
    credentials: deps.credentials,
    upstream: noUpstream,
  };
  const principal: Principal = {
    actorId: actor.id,
    name: actor.name,
    role: actor.role,
    tokenId: "explain",
    actor,
  };
  const headers = "header" in via ? { [featureHeader]: via.header } : {};
  try {
    route(proxy, { model }, via.feature, requiredCapability[via.operation], { headers, principal, outcome });
    return undefined;
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    if (!outcome.modelRef && error.code !== "capability_missing") throw error;
    if (!outcome.modelRef) return refusalOf("model", error);
    if (error.code === "model_not_allowed") return refusalOf("authorize", error);
    const provider = catalogue.provider(catalogue.byRef(outcome.modelRef)?.providerId ?? "");
    return refusalOf(provider && providerDefinition(provider.type) ? "credential" : "provider", error);
  }
}

function modelExplained(requested: string, model: ResolvedModel, actor: Actor): ModelExplained {
  const byDefault = requested === "" || requested === "default";
  return {
    requested,
    resolvedBy: byDefault ? "default" : requested.includes("::") ? "ref" : "id",
    ref: model.ref,
    displayName: model.displayName,
    providerId: model.providerId,
    capabilities: [...model.capabilities],
    allowed: isModelAllowed(actor, model.ref),
    allowedModels: actor.allowedModels ? [...actor.allowedModels] : ["*"],
  };
}

function credentialExplained(provider: ResolvedProvider, decision: CredentialDecision): CredentialExplained {
  const row = decision.choice ? { row: decision.choice.row } : {};
  if (!decision.ok) return { keyPolicy: provider.keyPolicy, ...row, problem: decision.error.message };
  const { origin, mode, region } = decision.credential;
  return { keyPolicy: provider.keyPolicy, ...row, origin, mode, ...(region ? { region } : {}) };
}
