/**
 * Attribute names of the OpenTelemetry GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/). They are still "development" status, so
 * they are written here, as @opentelemetry/semantic-conventions asks of incubating names, rather than imported
 * from its `incubating` entry, whose names may change in a minor release.
 */
export const GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
/** The name before `gen_ai.provider.name`; many backends still read it. */
export const GEN_AI_SYSTEM = "gen_ai.system";
export const GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const GEN_AI_REQUEST_STREAM = "gen_ai.request.stream";
export const GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
export const GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";

/** Tollgate's own names, under its namespace as the conventions ask. */
export const TOLLGATE_REQUEST_ID = "tollgate.request_id";
export const TOLLGATE_MODEL_REF = "tollgate.model_ref";
export const TOLLGATE_PROVIDER_ID = "tollgate.provider_id";
export const TOLLGATE_ACTOR_ID = "tollgate.actor_id";
export const TOLLGATE_ERROR_CODE = "tollgate.error_code";

/** The conventions' well-known provider names, by Tollgate provider type; other types keep their own name. */
const providerNames: Record<string, string> = {
  openai: "openai",
  azureOpenAI: "azure.ai.openai",
  anthropic: "anthropic",
  awsBedrock: "aws.bedrock",
  google: "gcp.gen_ai",
  mistral: "mistral_ai",
};

export function genAiProviderName(providerType: string): string {
  return providerNames[providerType] ?? providerType;
}

/** `gen_ai.operation.name` of a client route; count_tokens and unknown routes have none. */
const operations: Record<string, string> = {
  "/v1/chat/completions": "chat",
  "/v1/messages": "chat",
  "/v1/responses": "chat",
  "/v1/completions": "text_completion",
  "/v1/embeddings": "embeddings",
};

export function genAiOperation(route: string): string | undefined {
  return operations[route];
}

/** The model id of a model ref (`provider::apiVersion::modelId`), the name a request asks for. */
export function modelIdOf(modelRef: string): string {
  const at = modelRef.lastIndexOf("::");
  return at === -1 ? modelRef : modelRef.slice(at + 2);
}
