export { createUpstreamClient, UPSTREAM_DEFAULTS } from "./client.js";
export { EndpointPicker, type EndpointState } from "./endpoint-picker.js";
export {
  classifyTransportError,
  DEFAULT_RETRY_AFTER_SECONDS,
  type HeaderBag,
  isFailoverFailure,
  isFailoverStatus,
  mapTransportFailure,
  mapUpstreamStatus,
  parseErrorMessage,
  parseRetryAfter,
  type TransportFailureInput,
  type TransportFailureKind,
  type UpstreamStatusInput,
} from "./error-mapping.js";
export { scrubSecrets } from "./scrub.js";
export { readServerSentEvents, type ServerSentEvent } from "./server-sent-events.js";
export type {
  ErrorMessageParser,
  SendOptions,
  UpstreamAttempt,
  UpstreamClient,
  UpstreamClientOptions,
  UpstreamEndpoint,
  UpstreamRequest,
  UpstreamResponse,
} from "./types.js";
export { UpstreamError } from "./upstream-error.js";
