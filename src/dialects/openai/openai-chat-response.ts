/** OpenAI Chat Completions non-streamed response ⇄ canonical. Upstream bodies are read leniently. */
import type { ContentPart } from "../../canonical/content.js";
import type { CanonicalResponse, ResponseResult } from "../../canonical/response.js";
import { emptyUsage } from "../../canonical/usage.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { openaiErrorToCanonical } from "./openai-errors.js";
import { canonicalFinishToOpenAI, openaiFinishToCanonical } from "./openai-finish-reason.js";
import {
  needsReasoningDetails,
  openaiReasoningToParts,
  partsToReasoningDetails,
  type ReasoningParts,
  reasoningContentText,
} from "./openai-reasoning.js";
import { canonicalUsageToOpenAI, openaiUsageToCanonical } from "./openai-usage.js";

/** The first choice of an upstream response (the gateway asks for one; n > 1 passes through same-dialect only). */
export function openaiChatResponseToCanonical(body: unknown, status = 200): ResponseResult {
  if (!isObject(body) || isObject(body.error))
    return { ok: false, error: openaiErrorToCanonical(status === 200 ? 502 : status, body) };
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const message: JsonObject = isObject(choice.message) ? choice.message : {};
  const content: ContentPart[] = [...openaiReasoningToParts(message)];
  if (typeof message.content === "string" && message.content !== "")
    content.push({ type: "text", text: message.content });
  if (typeof message.refusal === "string") content.push({ type: "refusal", text: message.refusal });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isObject(call)) continue;
      const fn = isObject(call.function) ? call.function : {};
      content.push({
        type: "tool-call",
        id: String(call.id ?? ""),
        name: String(fn.name ?? ""),
        arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
      });
    }
  }
  const response: CanonicalResponse = {
    id: String(body.id ?? ""),
    model: String(body.model ?? ""),
    content,
    finish: openaiFinishToCanonical(choice.finish_reason),
    usage: openaiUsageToCanonical(body.usage) ?? emptyUsage(),
  };
  if (typeof body.created === "number") response.created = body.created;
  return { ok: true, response };
}

export interface OpenAIResponseOptions {
  /** Unix seconds for `created` when the canonical response has none. */
  created?: number;
}

/** A `chat.completion` body for the client. Reasoning: see openai-reasoning.ts. */
export function canonicalToOpenAIChatResponse(
  response: CanonicalResponse,
  options: OpenAIResponseOptions = {},
): JsonObject {
  const texts: string[] = [];
  const refusals: string[] = [];
  const reasoning: ReasoningParts = [];
  const toolCalls: JsonObject[] = [];
  for (const part of response.content) {
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "refusal") refusals.push(part.text);
    else if (part.type === "reasoning" || part.type === "redacted-reasoning") reasoning.push(part);
    else if (part.type === "tool-call") {
      toolCalls.push({
        id: part.id,
        type: "function",
        function: { name: part.name, arguments: part.arguments },
      });
    }
  }
  const message: JsonObject = {
    role: "assistant",
    content: texts.length > 0 ? texts.join("") : null,
    refusal: refusals.length > 0 ? refusals.join("") : null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning.length > 0) {
    message.reasoning_content = reasoningContentText(reasoning);
    if (needsReasoningDetails(reasoning)) message.reasoning_details = partsToReasoningDetails(reasoning);
  }
  return {
    id: response.id,
    object: "chat.completion",
    created: response.created ?? options.created ?? Math.floor(Date.now() / 1000),
    model: response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: canonicalFinishToOpenAI(response.finish) }],
    usage: canonicalUsageToOpenAI(response.usage),
  };
}
