/** The provider types a console user can add, and which settings each one takes (Cody's serverSideConfig). */

export interface ProviderTypeInfo {
  type: string;
  label: string;
  /** `required`: the type cannot work without one (Azure's resource, an OpenAI-compatible server). */
  endpoint: "optional" | "required";
  endpointHint: string;
  apiVersion?: boolean;
  region?: boolean;
  /** Works without a key from the ambient credentials of the machine (AWS's chain). */
  ambient?: boolean;
}

export const PROVIDER_TYPES: readonly ProviderTypeInfo[] = [
  {
    type: "openai",
    label: "OpenAI",
    endpoint: "optional",
    endpointHint: "Leave empty for https://api.openai.com/v1.",
  },
  {
    type: "anthropic",
    label: "Anthropic",
    endpoint: "optional",
    endpointHint: "Leave empty for https://api.anthropic.com.",
  },
  {
    type: "google",
    label: "Google Gemini",
    endpoint: "optional",
    endpointHint: "Leave empty for the Gemini API; a Vertex AI endpoint uses the ambient Google credentials.",
  },
  {
    type: "azureOpenAI",
    label: "Azure OpenAI",
    endpoint: "required",
    endpointHint: "Your resource's URL, e.g. https://my-resource.openai.azure.com.",
    apiVersion: true,
  },
  {
    type: "awsBedrock",
    label: "AWS Bedrock",
    endpoint: "optional",
    endpointHint: "Only for a VPC endpoint; leave empty to use the region's public endpoint.",
    region: true,
    ambient: true,
  },
  {
    type: "openaicompatible",
    label: "OpenAI-compatible",
    endpoint: "required",
    endpointHint: "The server's base URL, e.g. http://localhost:8000/v1 (vLLM, Ollama, LiteLLM…).",
  },
  {
    type: "fireworks",
    label: "Fireworks",
    endpoint: "optional",
    endpointHint: "Leave empty for Fireworks' API.",
  },
  { type: "mistral", label: "Mistral", endpoint: "optional", endpointHint: "Leave empty for Mistral's API." },
  {
    type: "openrouter",
    label: "OpenRouter",
    endpoint: "optional",
    endpointHint: "Leave empty for OpenRouter's API.",
  },
  {
    type: "vercel",
    label: "Vercel AI Gateway",
    endpoint: "optional",
    endpointHint: "Leave empty for Vercel's gateway.",
  },
  {
    type: "sourcegraph",
    label: "Sourcegraph Cody Gateway",
    endpoint: "optional",
    endpointHint: "Leave empty for Cody Gateway; another Tollgate's URL to chain gateways.",
  },
];

export function providerTypeInfo(type: string): ProviderTypeInfo | undefined {
  return PROVIDER_TYPES.find((entry) => entry.type === type);
}

export function providerTypeLabel(type: string): string {
  return providerTypeInfo(type)?.label ?? type;
}

export interface ProviderSettingsInput {
  type: string;
  endpoint: string;
  apiVersion: string;
  region: string;
}

/** The form's fields as the type's serverSideConfig: only the fields the type takes, empty ones left out. */
export function serverSideConfig(input: ProviderSettingsInput): Record<string, unknown> {
  const info = providerTypeInfo(input.type);
  const endpoint = input.endpoint.trim();
  if (input.type === "openaicompatible") return { type: input.type, endpoints: [{ url: endpoint }] };
  return {
    type: input.type,
    ...(endpoint ? { endpoint } : {}),
    ...(info?.apiVersion && input.apiVersion.trim() ? { apiVersion: input.apiVersion.trim() } : {}),
    ...(info?.region && input.region.trim() ? { region: input.region.trim() } : {}),
  };
}

/** The other way: a provider's shown settings back into the form's fields. */
export function settingsInput(
  type: string,
  settings: Record<string, unknown> | undefined,
): ProviderSettingsInput {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const endpoints = settings?.endpoints;
  const firstUrl = Array.isArray(endpoints) ? text((endpoints[0] as { url?: unknown } | undefined)?.url) : "";
  return {
    type,
    endpoint: text(settings?.endpoint) || firstUrl,
    apiVersion: text(settings?.apiVersion),
    region: text(settings?.region),
  };
}
