/**
 * Reasoning in the OpenAI dialect. There is no standard field, so we follow the two conventions clients
 * already know:
 * - text as `reasoning_content` (DeepSeek, Mistral, Fireworks; also read: OpenRouter's `reasoning`);
 * - signatures and encrypted reasoning as OpenRouter's `reasoning_details`
 *   (`{type: "reasoning.text", text, signature}` / `{type: "reasoning.encrypted", data}`), which clients echo
 *   back on the assistant message so an Anthropic thinking block survives the next turn unmodified.
 */
import type { ReasoningPart, RedactedReasoningPart } from "../../canonical/content.js";
import { isObject } from "../../canonical/validate.js";

export interface OpenAIReasoningDetail {
  type: "reasoning.text" | "reasoning.encrypted" | "reasoning.summary";
  text?: string;
  summary?: string;
  signature?: string;
  data?: string;
  id?: string;
  format?: string;
  index?: number;
}

export type ReasoningParts = Array<ReasoningPart | RedactedReasoningPart>;

function withBookkeeping<T extends ReasoningPart | RedactedReasoningPart>(
  part: T,
  detail: Record<string, unknown>,
): T {
  if (typeof detail.id === "string") part.id = detail.id;
  if (typeof detail.format === "string") part.format = detail.format;
  return part;
}

/** One `reasoning_details` entry as a canonical part; undefined for shapes we do not know. */
export function reasoningDetailToPart(detail: unknown): ReasoningPart | RedactedReasoningPart | undefined {
  if (!isObject(detail)) return undefined;
  if (detail.type === "reasoning.encrypted" && typeof detail.data === "string") {
    return withBookkeeping({ type: "redacted-reasoning", data: detail.data }, detail);
  }
  if (detail.type === "reasoning.text" || detail.type === "reasoning.summary") {
    const text =
      typeof detail.text === "string"
        ? detail.text
        : typeof detail.summary === "string"
          ? detail.summary
          : "";
    const part: ReasoningPart = { type: "reasoning", text };
    if (typeof detail.signature === "string" && detail.signature !== "") part.signature = detail.signature;
    return withBookkeeping(part, detail);
  }
  return undefined;
}

/**
 * The reasoning of an assistant message. `reasoning_details` wins when present (it is the complete form);
 * a streamed client may have accumulated the text in `reasoning_content` and only signatures in the
 * details, so text missing from the details is filled from `reasoning_content`.
 */
export function openaiReasoningToParts(message: Record<string, unknown>): ReasoningParts {
  const flatText =
    typeof message.reasoning_content === "string"
      ? message.reasoning_content
      : typeof message.reasoning === "string"
        ? message.reasoning
        : undefined;
  const parts: ReasoningParts = [];
  if (Array.isArray(message.reasoning_details)) {
    for (const detail of message.reasoning_details) {
      const part = reasoningDetailToPart(detail);
      if (part) parts.push(part);
    }
  }
  if (parts.length === 0) return flatText ? [{ type: "reasoning", text: flatText }] : [];
  const first = parts.find((part): part is ReasoningPart => part.type === "reasoning");
  if (flatText && first && parts.every((part) => part.type !== "reasoning" || part.text === ""))
    first.text = flatText;
  else if (flatText && !first) parts.unshift({ type: "reasoning", text: flatText });
  return parts;
}

export function partsToReasoningDetails(parts: ReasoningParts): OpenAIReasoningDetail[] {
  return parts.map((part, index) => {
    const detail: OpenAIReasoningDetail =
      part.type === "reasoning"
        ? { type: "reasoning.text", text: part.text }
        : { type: "reasoning.encrypted", data: part.data };
    if (part.type === "reasoning" && part.signature !== undefined) detail.signature = part.signature;
    if (part.id !== undefined) detail.id = part.id;
    if (part.format !== undefined) detail.format = part.format;
    detail.index = index;
    return detail;
  });
}

/** Whether `reasoning_details` would carry more than `reasoning_content` does. */
export function needsReasoningDetails(parts: ReasoningParts): boolean {
  return parts.some(
    (part) =>
      part.type === "redacted-reasoning" ||
      part.signature !== undefined ||
      part.id !== undefined ||
      part.format !== undefined,
  );
}

export function reasoningContentText(parts: ReasoningParts): string {
  return parts.map((part) => (part.type === "reasoning" ? part.text : "")).join("");
}
