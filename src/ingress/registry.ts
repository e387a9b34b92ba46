import { codyIngress } from "./cody/cody-ingress.js";
import type { Ingress, IngressName } from "./ingress.js";
import { anthropicIngress, openaiIngress, responsesIngress } from "./json-ingresses.js";

/** Every client API, by name. */
export const ingresses = {
  openai: openaiIngress,
  anthropic: anthropicIngress,
  "openai-responses": responsesIngress,
  cody: codyIngress,
} as const satisfies Record<IngressName, Ingress>;

export type { Ingress, IngressName } from "./ingress.js";
