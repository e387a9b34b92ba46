/**
 * Content parts and messages of the canonical form. Every dialect converts to and from these;
 * nothing here knows a wire format.
 */

/** Anthropic prompt-cache breakpoint; other dialects ignore it (with a warning). */
export interface CacheControl {
  type: "ephemeral";
  ttl?: "5m" | "1h";
}

export interface TextPart {
  type: "text";
  text: string;
  cacheControl?: CacheControl;
  /** Opaque signature a provider attached to this part (Gemini `thoughtSignature`); echo it back unchanged. */
  signature?: string;
}

export type ImageSource = { type: "url"; url: string } | { type: "base64"; mediaType: string; data: string };

export interface ImagePart {
  type: "image";
  source: ImageSource;
  /** OpenAI `image_url.detail`. */
  detail?: string;
  cacheControl?: CacheControl;
}

export interface ToolCallPart {
  type: "tool-call";
  id: string;
  name: string;
  /**
   * The arguments as JSON text, exactly as the model produced them (OpenAI streams and stores a string;
   * Anthropic an object, serialised with JSON.stringify). Empty means `{}`.
   */
  arguments: string;
  cacheControl?: CacheControl;
  /** Gemini `thoughtSignature` attached to a function call; echo it back unchanged. */
  signature?: string;
}

export interface ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  /** A plain string, or parts (kept as given so a round trip reproduces the input). */
  content: string | Array<TextPart | ImagePart>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

/**
 * Model reasoning. `signature` is Anthropic's thinking signature (must be echoed back unmodified);
 * `id`/`format` carry OpenRouter `reasoning_details` bookkeeping.
 */
export interface ReasoningPart {
  type: "reasoning";
  text: string;
  signature?: string;
  id?: string;
  format?: string;
}

/** Encrypted reasoning: Anthropic `redacted_thinking.data`, OpenRouter `reasoning.encrypted`. */
export interface RedactedReasoningPart {
  type: "redacted-reasoning";
  data: string;
  id?: string;
  format?: string;
}

/** OpenAI `message.refusal`: the model declined (structured outputs). */
export interface RefusalPart {
  type: "refusal";
  text: string;
}

/**
 * A block with no canonical meaning (Anthropic documents and server-tool blocks, OpenAI audio and files,
 * OpenAI Responses items such as `web_search_call`). It survives a same-dialect translation; another dialect
 * drops it with a warning.
 */
export interface OpaquePart {
  type: "opaque";
  dialect: "openai" | "anthropic" | "openai-responses";
  value: Record<string, unknown>;
}

export type ContentPart =
  | TextPart
  | ImagePart
  | ToolCallPart
  | ToolResultPart
  | ReasoningPart
  | RedactedReasoningPart
  | RefusalPart
  | OpaquePart;

export type MessageRole = "user" | "assistant" | "tool";

export interface CanonicalMessage {
  role: MessageRole;
  /** Tool messages hold only tool-result parts. */
  content: ContentPart[];
  /** OpenAI's optional participant name. */
  name?: string;
}

export interface SystemPart {
  type: "text";
  text: string;
  cacheControl?: CacheControl;
  /** Came from an OpenAI `developer` message rather than `system`. */
  developer?: boolean;
}

/** The text of a tool result, joined; images are skipped. */
export function toolResultText(part: ToolResultPart): string {
  if (typeof part.content === "string") return part.content;
  return part.content
    .filter((item): item is TextPart => item.type === "text")
    .map((item) => item.text)
    .join("");
}
