/**
 * The dialect codecs, one registry entry per wire dialect (DESIGN §9: registries instead of ternaries). A
 * client dialect encodes canonical answers for clients; an upstream dialect reads providers' answers: whole
 * (translated, or only its usage read on a pass-through) and streamed (decoded, or tapped for usage while
 * its events are relayed unchanged).
 */
import type { CanonicalResponse, ResponseResult } from "../canonical/response.js";
import type { StreamDecoder, StreamEncoder } from "../canonical/stream-events.js";
import type { CanonicalUsage } from "../canonical/usage.js";
import type { JsonObject } from "../canonical/validate.js";
import {
  anthropicResponseToCanonical,
  canonicalToAnthropicResponse,
} from "../dialects/anthropic/anthropic-response.js";
import { createAnthropicStreamDecoder } from "../dialects/anthropic/anthropic-stream-decoder.js";
import { createAnthropicStreamEncoder } from "../dialects/anthropic/anthropic-stream-encoder.js";
import { createAnthropicUsageTap, readAnthropicUsage } from "../dialects/anthropic/anthropic-usage-tap.js";
import type { Dialect } from "../dialects/dialect.js";
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
import { readOpenAIUsage } from "../dialects/openai/openai-usage-tap.js";

export type { Dialect } from "../dialects/dialect.js";

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
}

/** What the gateway does with one dialect. */
export interface DialectCodec {
  /** A canonical answer in this dialect, for a client. */
  toClientResponse(response: CanonicalResponse, shape: Shape): JsonObject;
  streamEncoder(shape: Shape, includeUsage: boolean): StreamEncoder;
  /** A provider's whole answer in this dialect, as canonical. */
  fromUpstreamResponse(body: unknown, status: number, shape: Shape): ResponseResult;
  streamDecoder(): StreamDecoder;
  /** Usage of a same-dialect answer, read without translating it. */
  readUsage(body: unknown): CanonicalUsage | undefined;
  streamTap(options: StreamTapOptions): StreamTap;
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

/** Anthropic spreads usage over message_start and message_delta; its tap merges them. */
function anthropicStreamTap(): StreamTap {
  const tap = createAnthropicUsageTap();
  return {
    onData(data) {
      tap.onData(data);
      return true;
    },
    usage: () => tap.result(),
  };
}

export const codecs = {
  openai: {
    toClientResponse: (response, shape) =>
      shape === "completions"
        ? canonicalToOpenAICompletionResponse(response)
        : (canonicalToOpenAIChatResponse(response) as JsonObject),
    streamEncoder: (shape, includeUsage) => createOpenAIStreamEncoder({ includeUsage, format: shape }),
    fromUpstreamResponse: (body, status, shape) =>
      shape === "completions"
        ? openaiCompletionResponseToCanonical(body, status)
        : openaiChatResponseToCanonical(body, status),
    streamDecoder: createOpenAIStreamDecoder,
    readUsage: readOpenAIUsage,
    streamTap: openaiStreamTap,
  },
  anthropic: {
    toClientResponse: (response) => canonicalToAnthropicResponse(response),
    streamEncoder: () => createAnthropicStreamEncoder(),
    fromUpstreamResponse: (body, status) => anthropicResponseToCanonical(body, status),
    streamDecoder: createAnthropicStreamDecoder,
    readUsage: readAnthropicUsage,
    streamTap: anthropicStreamTap,
  },
} satisfies Record<Dialect, DialectCodec>;
