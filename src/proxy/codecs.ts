import type { ResponseResult } from "../canonical/response.js";
import type { StreamDecoder, StreamEncoder } from "../canonical/stream-events.js";
import type { CanonicalUsage } from "../canonical/usage.js";
import type { JsonObject } from "../canonical/validate.js";
import {
  anthropicResponseToCanonical,
  canonicalToAnthropicResponse,
} from "../dialects/anthropic/anthropic-response.js";
import { createAnthropicStreamDecoder } from "../dialects/anthropic/anthropic-stream-decoder.js";
import { createAnthropicStreamEncoder } from "../dialects/anthropic/anthropic-stream-encoder.js";
import { readAnthropicUsage } from "../dialects/anthropic/anthropic-usage-tap.js";
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
import { readOpenAIUsage } from "../dialects/openai/openai-usage-tap.js";
import type { ClientDialect } from "./prepare.js";

export type Shape = "chat" | "completions";

/** An upstream answer (JSON) as canonical, by its dialect and shape. */
export function upstreamResponseToCanonical(
  dialect: ClientDialect,
  shape: Shape,
  body: unknown,
  status: number,
): ResponseResult {
  if (dialect === "anthropic") return anthropicResponseToCanonical(body, status);
  return shape === "completions"
    ? openaiCompletionResponseToCanonical(body, status)
    : openaiChatResponseToCanonical(body, status);
}

/** A canonical answer in the client's dialect and shape. */
export function canonicalToClientResponse(
  dialect: ClientDialect,
  shape: Shape,
  response: Parameters<typeof canonicalToOpenAIChatResponse>[0],
): JsonObject {
  if (dialect === "anthropic") return canonicalToAnthropicResponse(response);
  return shape === "completions"
    ? canonicalToOpenAICompletionResponse(response)
    : (canonicalToOpenAIChatResponse(response) as JsonObject);
}

/** Usage of a same-dialect answer, read without translating it. */
export function readUsage(dialect: ClientDialect, body: unknown): CanonicalUsage | undefined {
  return dialect === "anthropic" ? readAnthropicUsage(body) : readOpenAIUsage(body);
}

export function streamDecoder(dialect: ClientDialect): StreamDecoder {
  return dialect === "anthropic" ? createAnthropicStreamDecoder() : createOpenAIStreamDecoder();
}

export function streamEncoder(dialect: ClientDialect, shape: Shape, includeUsage: boolean): StreamEncoder {
  return dialect === "anthropic"
    ? createAnthropicStreamEncoder()
    : createOpenAIStreamEncoder({ includeUsage, format: shape });
}
