/** Anthropic Messages non-streamed response ⇄ canonical. */
import type { ContentPart } from "../../canonical/content.js";
import type { CanonicalResponse, ResponseResult } from "../../canonical/response.js";
import { emptyUsage } from "../../canonical/usage.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { anthropicBlock, readAnthropicBlock } from "./anthropic-content.js";
import { anthropicErrorToCanonical } from "./anthropic-errors.js";
import { anthropicStopToCanonical, canonicalFinishToAnthropic } from "./anthropic-finish-reason.js";
import { anthropicUsageToCanonical, canonicalUsageToAnthropic } from "./anthropic-usage.js";

export function anthropicResponseToCanonical(body: unknown, status = 200): ResponseResult {
  if (!isObject(body) || body.type === "error")
    return { ok: false, error: anthropicErrorToCanonical(status === 200 ? 502 : status, body) };
  const content: ContentPart[] = [];
  if (Array.isArray(body.content)) {
    for (const block of body.content) {
      const part = readAnthropicBlock(block);
      if (part) content.push(part);
    }
  }
  return {
    ok: true,
    response: {
      id: String(body.id ?? ""),
      model: String(body.model ?? ""),
      content,
      finish: anthropicStopToCanonical(body.stop_reason, body.stop_sequence),
      usage: anthropicUsageToCanonical(body.usage) ?? emptyUsage(),
    },
  };
}

/** A `message` body for the client. Parts Anthropic cannot show (unsigned reasoning) are left out. */
export function canonicalToAnthropicResponse(response: CanonicalResponse): JsonObject {
  const content: JsonObject[] = [];
  response.content.forEach((part, index) => {
    // Unsigned reasoning (DeepSeek, OpenRouter text) is still shown; a client sending it back is warned then.
    if (part.type === "reasoning" && part.signature === undefined) {
      content.push({ type: "thinking", thinking: part.text, signature: "" });
      return;
    }
    try {
      const block = anthropicBlock(part, `content[${index}]`);
      if (typeof block !== "string") content.push(block);
    } catch {
      // Invalid tool-call JSON from an upstream: keep the call, with the raw text under a key Claude clients show.
      if (part.type === "tool-call")
        content.push({ type: "tool_use", id: part.id, name: part.name, input: { _raw: part.arguments } });
    }
  });
  return {
    id: response.id,
    type: "message",
    role: "assistant",
    model: response.model,
    content,
    stop_reason: canonicalFinishToAnthropic(response.finish),
    stop_sequence: response.finish.stopSequence ?? null,
    usage: canonicalUsageToAnthropic(response.usage),
  };
}
