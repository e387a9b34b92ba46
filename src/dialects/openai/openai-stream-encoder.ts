/**
 * Canonical events → OpenAI SSE text (`data: {…}\n\n`, then `data: [DONE]\n\n`), as chat.completion.chunk or
 * legacy text_completion chunks. Usage is held and sent last in a `choices: []` chunk, only when the client
 * asked for it (`stream_options.include_usage`); otherwise it is metered but not shown (DESIGN §8).
 */
import type { CanonicalStreamEvent, StreamEncoder } from "../../canonical/stream-events.js";
import type { CanonicalUsage } from "../../canonical/usage.js";
import type { JsonObject } from "../../canonical/validate.js";
import { canonicalErrorToOpenAI } from "../../errors/index.js";
import { formatSse } from "../sse.js";
import { canonicalFinishToOpenAI } from "./openai-finish-reason.js";
import { canonicalUsageToOpenAI } from "./openai-usage.js";

export interface OpenAIStreamEncoderOptions {
  includeUsage: boolean;
  /** `chat` (default) or `completions` (legacy text_completion chunks: text only). */
  format?: "chat" | "completions";
  /** Used until message-start supplies them. */
  id?: string;
  model?: string;
  created?: number;
}

export function createOpenAIStreamEncoder(options: OpenAIStreamEncoderOptions): StreamEncoder {
  const completions = options.format === "completions";
  let id = options.id ?? "";
  let model = options.model ?? "";
  let created = options.created ?? Math.floor(Date.now() / 1000);
  let usage: CanonicalUsage | undefined;
  let ended = false;
  const toolIndexes = new Map<number, number>();
  const reasoningIndexes = new Map<number, number>();

  const frame = (choices: JsonObject[], extra?: JsonObject): string =>
    formatSse(
      JSON.stringify({
        id,
        object: completions ? "text_completion" : "chat.completion.chunk",
        created,
        model,
        choices,
        ...extra,
      }),
    );
  const chunk = (delta: JsonObject, finishReason: string | null = null): string =>
    completions
      ? frame([
          {
            text: typeof delta.content === "string" ? delta.content : "",
            index: 0,
            logprobs: null,
            finish_reason: finishReason,
          },
        ])
      : frame([{ index: 0, delta, finish_reason: finishReason }]);
  const detailIndex = (block: number): number => {
    let index = reasoningIndexes.get(block);
    if (index === undefined) {
      index = reasoningIndexes.size;
      reasoningIndexes.set(block, index);
    }
    return index;
  };

  const encode = (event: CanonicalStreamEvent): string => {
    if (ended) return "";
    switch (event.type) {
      case "message-start":
        id = event.id || id;
        model = event.model || model;
        created = event.created ?? created;
        return completions ? "" : chunk({ role: "assistant", content: "" });
      case "text-delta":
        return event.text === "" ? "" : chunk({ content: event.text });
      case "refusal-delta":
        return event.text === "" || completions ? "" : chunk({ refusal: event.text });
      case "reasoning-delta": {
        if (completions) return "";
        if (event.kind === "text") return event.text === "" ? "" : chunk({ reasoning_content: event.text });
        const index = detailIndex(event.index);
        const detail =
          event.kind === "signature"
            ? { type: "reasoning.text", signature: event.signature, index }
            : { type: "reasoning.encrypted", data: event.data, index };
        return chunk({ reasoning_details: [detail] });
      }
      case "tool-call-start": {
        if (completions) return "";
        const index = toolIndexes.size;
        toolIndexes.set(event.index, index);
        return chunk({
          tool_calls: [
            { index, id: event.id, type: "function", function: { name: event.name, arguments: "" } },
          ],
        });
      }
      case "tool-call-delta": {
        const index = toolIndexes.get(event.index);
        if (completions || index === undefined || event.arguments === "") return "";
        return chunk({ tool_calls: [{ index, function: { arguments: event.arguments } }] });
      }
      case "content-block-stop":
        return "";
      case "usage":
        usage = event.usage;
        return "";
      case "finish":
        return chunk({}, canonicalFinishToOpenAI(event.finish));
      case "error":
        ended = true;
        return formatSse(JSON.stringify(canonicalErrorToOpenAI(event.error)));
    }
  };

  return {
    encode,
    end() {
      if (ended) return "";
      ended = true;
      const usageChunk =
        options.includeUsage && usage ? frame([], { usage: canonicalUsageToOpenAI(usage) }) : "";
      return `${usageChunk}data: [DONE]\n\n`;
    },
  };
}
