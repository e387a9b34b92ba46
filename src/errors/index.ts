/**
 * The errors floor: the catalogue of every error a client can see, the GatewayError that carries one, and the
 * error bodies of each client dialect. Everything may import it; it imports only canonical types.
 */
export { type AnthropicErrorBody, canonicalErrorToAnthropic } from "./anthropic-error-body.js";
export {
  type ErrorCode,
  type ErrorCodeSpec,
  errorCatalogue,
  type FaultDomain,
  GatewayError,
  type GatewayErrorOptions,
  type RefusingLimit,
} from "./catalogue.js";
export { type CodyErrorBody, codyErrorAnswer, type ErrorAnswer, rfc1123 } from "./cody-error-body.js";
export { type ErrorDialect, type ErrorShape, errorBody } from "./error-body.js";
export { canonicalErrorToOpenAI, type OpenAIErrorBody } from "./openai-error-body.js";
