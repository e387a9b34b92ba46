import type { CacheControl, CanonicalMessage, SystemPart } from "./content.js";

/** A function the model may call. */
export interface FunctionTool {
  type: "function";
  name: string;
  description?: string;
  /** JSON Schema of the arguments object (absent when an OpenAI client sent no `parameters`). */
  inputSchema?: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: CacheControl;
  /**
   * Tool settings of one dialect with no canonical meaning (Anthropic `defer_loading`): sent again to the same
   * dialect, reported as a warning by another.
   */
  extra?: { dialect: "openai" | "anthropic" | "openai-responses"; fields: Record<string, unknown> };
}

/**
 * A dialect-specific tool (Anthropic server tools, OpenAI custom tools, OpenAI Responses hosted tools such as
 * `web_search`): kept for the same dialect only.
 */
export interface OpaqueTool {
  type: "opaque";
  dialect: "openai" | "anthropic" | "openai-responses";
  value: Record<string, unknown>;
}

export type CanonicalTool = FunctionTool | OpaqueTool;

export type ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string };

export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

export const reasoningEfforts: readonly ReasoningEffort[] = [
  "none",
  "minimal",
  "low",
  "medium",
  "high",
  "xhigh",
  "max",
];

export interface ReasoningConfig {
  /** false = explicitly off (Anthropic `thinking.type: disabled`, OpenRouter `enabled: false`). */
  enabled?: boolean;
  effort?: ReasoningEffort;
  /** Anthropic `thinking.budget_tokens`, OpenRouter `reasoning.max_tokens`. */
  budgetTokens?: number;
  /** Anthropic `thinking.type: adaptive`. */
  adaptive?: boolean;
  /** OpenRouter `reasoning.exclude`: reason but do not return the reasoning. */
  exclude?: boolean;
}

export type ResponseFormat =
  | { type: "text" }
  | { type: "json" }
  | {
      type: "json-schema";
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

/** A raw-prompt completion (OpenAI legacy `/v1/completions`), with `suffix` for fill-in-the-middle. */
export interface PromptInput {
  text: string;
  suffix?: string;
}

export interface CanonicalRequest {
  /** The model as the client named it; routing replaces it with the upstream's name. */
  model: string | undefined;
  system: SystemPart[];
  messages: CanonicalMessage[];
  /** Set instead of messages for legacy completions. */
  prompt?: PromptInput;
  tools?: CanonicalTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  /** Number of choices (OpenAI `n`); only OpenAI-family upstreams support more than one. */
  choices?: number;
  reasoning?: ReasoningConfig;
  responseFormat?: ResponseFormat;
  stream: boolean;
  /** The client asked for usage in the stream (OpenAI `stream_options.include_usage`; always for Anthropic). */
  includeUsage: boolean;
  /** End-user id (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  metadata?: Record<string, string>;
  /**
   * Dialect-specific top-level fields with no canonical meaning, by dialect. Only the same dialect reads its bag
   * back; another dialect reports each key as a warning.
   */
  extra: {
    openai?: Record<string, unknown>;
    anthropic?: Record<string, unknown>;
    /** OpenAI Responses fields (`store`, `include`, `previous_response_id`…): see dialects/openai-responses. */
    "openai-responses"?: Record<string, unknown>;
  };
}
