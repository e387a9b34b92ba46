/**
 * The dialect codecs, one registry entry per wire dialect (DESIGN §9: registries instead of ternaries). For
 * clients a dialect encodes canonical answers and errors; on a same-dialect pass-through it rewrites the
 * routed fields of the client's body and taps usage from the answer relayed as it came. Providers' native
 * dialects also decode, for translation (`translators`).
 */
import type { BuildResult, TranslationWarning } from "../canonical/errors.js";
import type { CanonicalRequest, ReasoningConfig } from "../canonical/request.js";
import type { CanonicalResponse, ResponseResult } from "../canonical/response.js";
import type { StreamDecoder, StreamEncoder } from "../canonical/stream-events.js";
import type { CanonicalUsage, UsageTap } from "../canonical/usage.js";
import { isObject, type JsonObject } from "../canonical/validate.js";
import { canonicalToAnthropicRequest } from "../dialects/anthropic/anthropic-request-build.js";
import {
  anthropicResponseToCanonical,
  canonicalToAnthropicResponse,
} from "../dialects/anthropic/anthropic-response.js";
import { createAnthropicStreamDecoder } from "../dialects/anthropic/anthropic-stream-decoder.js";
import { createAnthropicStreamEncoder } from "../dialects/anthropic/anthropic-stream-encoder.js";
import { minimumThinkingBudget } from "../dialects/anthropic/anthropic-thinking.js";
import {
  anthropicStreamEnds,
  createAnthropicUsageTap,
  readAnthropicUsage,
} from "../dialects/anthropic/anthropic-usage-tap.js";
import { canonicalToConverseRequest } from "../dialects/bedrock-converse/converse-request-build.js";
import { converseResponseToCanonical } from "../dialects/bedrock-converse/converse-response.js";
import { createConverseStreamDecoder } from "../dialects/bedrock-converse/converse-stream-decoder.js";
import { canonicalToAnthropicLegacyResponse } from "../dialects/cody/anthropic-legacy-response.js";
import { createAnthropicLegacyStreamEncoder } from "../dialects/cody/anthropic-legacy-stream-encoder.js";
import type { Dialect, ProviderDialect } from "../dialects/dialect.js";
import { canonicalToGeminiRequest } from "../dialects/gemini/gemini-request-build.js";
import { geminiResponseToCanonical } from "../dialects/gemini/gemini-response.js";
import { canonicalToGeminiResponse } from "../dialects/gemini/gemini-response-encode.js";
import { createGeminiStreamDecoder } from "../dialects/gemini/gemini-stream-decoder.js";
import { createGeminiStreamEncoder, geminiErrorBody } from "../dialects/gemini/gemini-stream-encoder.js";
import { canonicalToOpenAIChatRequest } from "../dialects/openai/openai-chat-request-build.js";
import {
  canonicalToOpenAIChatResponse,
  openaiChatResponseToCanonical,
} from "../dialects/openai/openai-chat-response.js";
import {
  canonicalToOpenAICompletionResponse,
  openaiCompletionResponseToCanonical,
} from "../dialects/openai/openai-completions.js";
import { createOpenAIStreamDecoder } from "../dialects/openai/openai-stream-decoder.js";
import { createOpenAIStreamEncoder } from "../dialects/openai/openai-stream-encoder.js";
import { openaiUsageToCanonical } from "../dialects/openai/openai-usage.js";
import { openaiStreamEnds, readOpenAIUsage } from "../dialects/openai/openai-usage-tap.js";
import { canonicalToResponsesResponse } from "../dialects/openai-responses/responses-response.js";
import { createResponsesStreamEncoder } from "../dialects/openai-responses/responses-stream-encoder.js";
import {
  createResponsesUsageTap,
  readResponsesUsage,
  responsesStreamEnds,
} from "../dialects/openai-responses/responses-usage-tap.js";
import { formatSse } from "../dialects/sse.js";
import { type ErrorDialect, errorBody, errorCatalogue, type GatewayError } from "../errors/index.js";
import type { FilledOption } from "./model-options.js";
import type { Routed } from "./prepare.js";

export type { Dialect, ProviderDialect } from "../dialects/dialect.js";

/** OpenAI answers chat-shaped (`/chat/completions`) or completion-shaped (`/completions`). */
export type Shape = "chat" | "completions";

/** Reads usage from a relayed stream, event by event. */
export interface StreamTap {
  /** One event's data; false when the event is the gateway's own business and must not reach the client. */
  onData(data: string): boolean;
  usage(): CanonicalUsage | undefined;
}

export interface StreamTapOptions {
  /** The gateway asked for stream usage the client did not ask for (OpenAI `stream_options.include_usage`). */
  injectedStreamUsage: boolean;
  /**
   * The upstream's own final record says the answer failed (Responses `response.failed`, with its message): it is
   * relayed as it came, and the request is recorded as an upstream error, not a success.
   */
  onFailed?: (message: string | undefined) => void;
}

/** What a same-dialect pass-through changes in the client's body besides the model. */
export interface PassthroughRewrite {
  /** The body's names of the sampling options a model's `options` may fill in. */
  optionNames: Partial<Record<FilledOption, string>>;
  /** The body's max-tokens field (the client's own when it sent one; `providerField` for OpenAI chat). */
  maxTokensField(body: JsonObject, providerField: string): string;
  /** Writes a reasoning setting the model's options filled in. */
  setReasoning(body: JsonObject, reasoning: ReasoningConfig): void;
  /** Asks for stream usage the client did not ask for; true when it did (the extra event is then dropped). */
  requestStreamUsage(body: JsonObject, request: CanonicalRequest): boolean;
  /** Keeps the body consistent once its max tokens were lowered; a warning when that changed something else. */
  maxTokensLowered?(body: JsonObject, maxTokens: number): TranslationWarning | undefined;
}

/** What the gateway does with one dialect. `request` is the client's body (some answers echo it). */
export interface DialectCodec {
  toClientResponse(response: CanonicalResponse, shape: Shape, request: JsonObject): JsonObject;
  streamEncoder(shape: Shape, includeUsage: boolean, request: JsonObject): StreamEncoder;
  /** The record that ends a client's stream that failed midway (DESIGN §2: never a silent end). */
  streamError(error: GatewayError): string;
  /** Usage of a same-dialect answer, read without translating it. */
  readUsage(body: unknown): CanonicalUsage | undefined;
  streamTap(options: StreamTapOptions): StreamTap;
  /** True for a relayed record that completes the stream (`[DONE]`, `message_stop`, `response.completed`). */
  streamEnds(event: string | undefined, data: string): boolean;
  passthrough: PassthroughRewrite;
}

/** What a translated request is built with: the upstream's model name and the routed model and provider. */
export interface BuildContext {
  model: string;
  routed: Pick<Routed<unknown>, "model" | "definition">;
}

/** What an answer's body may not say itself (Bedrock Converse answers carry neither an id nor a model). */
export interface AnswerContext {
  /** The model the upstream was asked for. */
  model: string;
  /** The upstream's request id (`x-amzn-requestid`), when it sent one. */
  requestId?: string | undefined;
}

/** What translating into and from a provider's native dialect needs. */
export interface DialectTranslator {
  buildRequest(request: CanonicalRequest, context: BuildContext): BuildResult<JsonObject>;
  fromUpstreamResponse(body: unknown, status: number, shape: Shape, context: AnswerContext): ResponseResult;
  streamDecoder(context: AnswerContext): StreamDecoder;
}

const mayHoldUsage = /"usage"\s*:\s*\{/;

/** OpenAI streams carry usage in one chunk (with `choices: []`), the last one, when asked. */
function openaiStreamTap({ injectedStreamUsage }: StreamTapOptions): StreamTap {
  let usage: CanonicalUsage | undefined;
  return {
    onData(data) {
      if (!mayHoldUsage.test(data)) return true;
      try {
        const json = JSON.parse(data) as { usage?: unknown; choices?: unknown };
        usage = openaiUsageToCanonical(json.usage) ?? usage;
        // The usage-only chunk the client did not ask for is kept from it (DESIGN §8 "Metering streams").
        return !(injectedStreamUsage && Array.isArray(json.choices) && json.choices.length === 0);
      } catch {
        // Not JSON: relayed as it is; the client's parser will report it.
        return true;
      }
    },
    usage: () => usage,
  };
}

/** A tap that only reads (Anthropic merges message_start and message_delta; Responses reads response.completed). */
function readingTap(tap: UsageTap): StreamTap {
  return {
    onData(data) {
      tap.onData(data);
      return true;
    },
    usage: () => tap.result(),
  };
}

function errorRecord(error: GatewayError, dialect: ErrorDialect, event?: string): string {
  return formatSse(JSON.stringify(errorBody(dialect, { code: error.code, message: error.message })), event);
}

/** The Responses API ends a failed stream with an `error` event and `response.failed` (the Codex CLI reads the latter). */
function responsesStreamError(error: GatewayError): string {
  const detail = { code: error.code, message: error.message };
  return (
    formatSse(
      JSON.stringify({ type: "error", error: { type: "api_error", ...detail, param: null } }),
      "error",
    ) +
    formatSse(
      JSON.stringify({
        type: "response.failed",
        response: { id: "resp_failed", object: "response", status: "failed", error: detail, output: [] },
      }),
      "response.failed",
    )
  );
}

const samplingNames = { temperature: "temperature", topP: "top_p" } as const;

/**
 * What a dialect that is always translated (spoken to clients only) has in place of a pass-through: these never
 * run, since passesThrough() needs a provider of the client's dialect.
 */
function translatedOnly(
  maxTokensField: string,
): Pick<DialectCodec, "readUsage" | "streamTap" | "streamEnds" | "passthrough"> {
  return {
    readUsage: () => undefined,
    streamTap: () => ({ onData: () => true, usage: () => undefined }),
    streamEnds: () => false,
    passthrough: {
      optionNames: {},
      // The field's name in messages about it.
      maxTokensField: () => maxTokensField,
      setReasoning: () => {},
      requestStreamUsage: () => false,
    },
  };
}

export const codecs = {
  openai: {
    toClientResponse: (response, shape) =>
      shape === "completions"
        ? canonicalToOpenAICompletionResponse(response)
        : (canonicalToOpenAIChatResponse(response) as JsonObject),
    streamEncoder: (shape, includeUsage) => createOpenAIStreamEncoder({ includeUsage, format: shape }),
    streamError: (error) => errorRecord(error, "openai"),
    readUsage: readOpenAIUsage,
    streamTap: openaiStreamTap,
    streamEnds: openaiStreamEnds,
    passthrough: {
      optionNames: {
        ...samplingNames,
        presencePenalty: "presence_penalty",
        frequencyPenalty: "frequency_penalty",
      },
      maxTokensField: (body, providerField) =>
        body.max_completion_tokens !== undefined
          ? "max_completion_tokens"
          : body.max_tokens !== undefined
            ? "max_tokens"
            : providerField,
      setReasoning(body, reasoning) {
        if (reasoning.effort) body.reasoning_effort = reasoning.effort;
      },
      requestStreamUsage(body, request) {
        if (!request.stream || request.includeUsage) return false;
        // DESIGN §8 "Metering streams": every stream is metered; the extra chunk is removed on the way back.
        body.stream_options = {
          ...(isObject(body.stream_options) ? body.stream_options : {}),
          include_usage: true,
        };
        return true;
      },
    },
  },
  anthropic: {
    toClientResponse: (response) => canonicalToAnthropicResponse(response),
    streamEncoder: () => createAnthropicStreamEncoder(),
    streamError: (error) => errorRecord(error, "anthropic", "error"),
    readUsage: readAnthropicUsage,
    streamTap: () => readingTap(createAnthropicUsageTap()),
    streamEnds: anthropicStreamEnds,
    passthrough: {
      optionNames: { ...samplingNames, topK: "top_k" },
      maxTokensField: () => "max_tokens",
      setReasoning(body, reasoning) {
        if (reasoning.budgetTokens)
          body.thinking = { type: "enabled", budget_tokens: reasoning.budgetTokens };
      },
      // Anthropic streams always carry usage.
      requestStreamUsage: () => false,
      maxTokensLowered(body, maxTokens) {
        // Anthropic requires budget_tokens < max_tokens (Claude Code asks 32000 with a budget of 31999).
        const thinking = body.thinking;
        if (
          !isObject(thinking) ||
          typeof thinking.budget_tokens !== "number" ||
          thinking.budget_tokens < maxTokens
        )
          return undefined;
        if (maxTokens <= minimumThinkingBudget) {
          body.thinking = { type: "disabled" };
          return {
            field: "thinking",
            message: `extended thinking turned off: the model's ${maxTokens} output tokens leave no room for Anthropic's minimum budget of ${minimumThinkingBudget}`,
          };
        }
        const budget = Math.max(minimumThinkingBudget, Math.floor(maxTokens / 2));
        body.thinking = { ...thinking, budget_tokens: budget };
        return {
          field: "thinking.budget_tokens",
          message: `${thinking.budget_tokens} lowered to ${budget}: it must stay below max_tokens, now ${maxTokens}`,
        };
      },
    },
  },
  "openai-responses": {
    toClientResponse: (response, _shape, request) => canonicalToResponsesResponse(response, { request }),
    streamEncoder: (_shape, _includeUsage, request) => createResponsesStreamEncoder({ request }),
    streamError: responsesStreamError,
    readUsage: readResponsesUsage,
    streamTap: (options) => readingTap(createResponsesUsageTap(options.onFailed)),
    streamEnds: responsesStreamEnds,
    passthrough: {
      optionNames: samplingNames,
      maxTokensField: () => "max_output_tokens",
      setReasoning(body, reasoning) {
        if (reasoning.effort)
          body.reasoning = { ...(isObject(body.reasoning) ? body.reasoning : {}), effort: reasoning.effort };
      },
      // `response.completed` always carries usage.
      requestStreamUsage: () => false,
    },
  },
  "anthropic-legacy": {
    toClientResponse: (response) => canonicalToAnthropicLegacyResponse(response),
    streamEncoder: () => createAnthropicLegacyStreamEncoder(),
    streamError: (error) => errorRecord(error, "anthropic", "error"),
    ...translatedOnly("max_tokens_to_sample"),
  },
  "gemini-generate": {
    toClientResponse: (response) => canonicalToGeminiResponse(response),
    streamEncoder: () => createGeminiStreamEncoder(),
    streamError: (error) =>
      formatSse(JSON.stringify(geminiErrorBody(errorCatalogue[error.code].status, error.message))),
    ...translatedOnly("generationConfig.maxOutputTokens"),
  },
} satisfies Record<Dialect, DialectCodec>;

export const translators = {
  openai: {
    buildRequest: (request, { model, routed }) =>
      canonicalToOpenAIChatRequest(request, { model, ...routed.definition.openaiChatSettings }),
    fromUpstreamResponse: (body, status, shape) =>
      shape === "completions"
        ? openaiCompletionResponseToCanonical(body, status)
        : openaiChatResponseToCanonical(body, status),
    streamDecoder: createOpenAIStreamDecoder,
  },
  anthropic: {
    buildRequest: (request, { model, routed }) =>
      canonicalToAnthropicRequest(request, {
        model,
        defaultMaxTokens: routed.model.options.maxOutputTokens ?? routed.model.contextWindow.maxOutputTokens,
      }),
    fromUpstreamResponse: (body, status) => anthropicResponseToCanonical(body, status),
    streamDecoder: createAnthropicStreamDecoder,
  },
  gemini: {
    buildRequest: (request, { model, routed }) =>
      canonicalToGeminiRequest(request, {
        model,
        defaultMaxTokens: routed.model.options.maxOutputTokens ?? routed.model.contextWindow.maxOutputTokens,
        ...(routed.model.options.includeThoughts === undefined
          ? {}
          : { includeThoughts: routed.model.options.includeThoughts }),
      }),
    fromUpstreamResponse: (body, status) => geminiResponseToCanonical(body, status),
    streamDecoder: createGeminiStreamDecoder,
  },
  "bedrock-converse": {
    buildRequest: (request, { routed }) =>
      canonicalToConverseRequest(request, {
        defaultMaxTokens: routed.model.options.maxOutputTokens ?? routed.model.contextWindow.maxOutputTokens,
        latencyOptimized:
          routed.model.serverSideConfig?.type === "awsBedrock" &&
          routed.model.serverSideConfig.latencyOptimization === "optimized",
        modelFamily: routed.model.modelName.includes("anthropic.") ? "anthropic" : "other",
      }),
    fromUpstreamResponse: (body, status, _shape, context) =>
      converseResponseToCanonical(body, status, context),
    streamDecoder: (context) => createConverseStreamDecoder(context),
  },
} satisfies Record<ProviderDialect, DialectTranslator>;
