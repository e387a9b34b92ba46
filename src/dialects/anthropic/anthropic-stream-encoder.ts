/**
 * Canonical events → Anthropic SSE text (`event: <type>\ndata: {…}\n\n`): message_start, one
 * content_block_start/…_delta/…_stop run per block (indices renumbered from 0, one block open at a time),
 * then message_delta with the stop reason and final usage, and message_stop. Finish and usage are held until
 * end(), because OpenAI upstreams send usage after the finish chunk.
 */
import type { CanonicalFinish } from "../../canonical/finish-reason.js";
import type { CanonicalStreamEvent, StreamEncoder } from "../../canonical/stream-events.js";
import { type CanonicalUsage, emptyUsage } from "../../canonical/usage.js";
import type { JsonObject } from "../../canonical/validate.js";
import { canonicalErrorToAnthropic } from "../../errors/index.js";
import { formatSse } from "../sse.js";
import { canonicalFinishToAnthropic } from "./anthropic-finish-reason.js";
import { canonicalUsageToAnthropic } from "./anthropic-usage.js";

export interface AnthropicStreamEncoderOptions {
  /** Used if the stream lacks a message-start. */
  id?: string;
  model?: string;
}

const record = (type: string, payload: JsonObject): string =>
  formatSse(JSON.stringify({ type, ...payload }), type);

export function createAnthropicStreamEncoder(options: AnthropicStreamEncoderOptions = {}): StreamEncoder {
  let started = false;
  let ended = false;
  let usage: CanonicalUsage | undefined;
  let finish: CanonicalFinish | undefined;
  let open: { source: number; index: number } | undefined;
  const indexes = new Map<number, number>();

  const start = (event?: Extract<CanonicalStreamEvent, { type: "message-start" }>): string => {
    started = true;
    usage = event?.usage ?? usage;
    const message = {
      id: event?.id || options.id || "",
      type: "message",
      role: "assistant",
      model: event?.model || options.model || "",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: canonicalUsageToAnthropic(usage ?? emptyUsage()),
    };
    return record("message_start", { message });
  };

  const close = (): string => {
    if (!open) return "";
    const text = record("content_block_stop", { index: open.index });
    open = undefined;
    return text;
  };

  /** Opens the block for a canonical index if it is new; returns the SSE text and its Anthropic index. */
  const ensure = (source: number, block: () => JsonObject): [string, number] => {
    if (open?.source === source) return ["", open.index];
    const known = indexes.get(source);
    if (known !== undefined) return ["", known];
    let text = close();
    const index = indexes.size;
    indexes.set(source, index);
    open = { source, index };
    text += record("content_block_start", { index, content_block: block() });
    return [text, index];
  };

  const delta = (source: number, block: () => JsonObject, payload: JsonObject | undefined): string => {
    const [text, index] = ensure(source, block);
    return payload ? text + record("content_block_delta", { index, delta: payload }) : text;
  };

  const encode = (event: CanonicalStreamEvent): string => {
    if (ended) return "";
    const prefix = !started && event.type !== "message-start" && event.type !== "error" ? start() : "";
    switch (event.type) {
      case "message-start":
        return started ? "" : start(event);
      case "text-delta":
      case "refusal-delta":
        return (
          prefix +
          delta(
            event.index,
            () => ({ type: "text", text: "" }),
            event.text === "" ? undefined : { type: "text_delta", text: event.text },
          )
        );
      case "reasoning-delta": {
        if (event.kind === "redacted")
          return (
            prefix + delta(event.index, () => ({ type: "redacted_thinking", data: event.data }), undefined)
          );
        const block = () => ({ type: "thinking", thinking: "", signature: "" });
        if (event.kind === "signature")
          return prefix + delta(event.index, block, { type: "signature_delta", signature: event.signature });
        return (
          prefix +
          delta(
            event.index,
            block,
            event.text === "" ? undefined : { type: "thinking_delta", thinking: event.text },
          )
        );
      }
      case "tool-call-start":
        return (
          prefix +
          delta(
            event.index,
            () => ({ type: "tool_use", id: event.id, name: event.name, input: {} }),
            undefined,
          )
        );
      case "tool-call-delta":
        return (
          prefix +
          delta(event.index, () => ({ type: "tool_use", id: "", name: "", input: {} }), {
            type: "input_json_delta",
            partial_json: event.arguments,
          })
        );
      case "content-block-stop":
        return prefix + (open?.source === event.index ? close() : "");
      case "usage":
        usage = event.usage;
        return prefix;
      case "finish":
        finish = event.finish;
        return prefix;
      case "error":
        ended = true;
        return record("error", { error: canonicalErrorToAnthropic(event.error).error });
    }
  };

  return {
    encode,
    end() {
      if (ended) return "";
      ended = true;
      let text = (started ? "" : start()) + close();
      const stop = finish ?? { unified: "stop", raw: undefined };
      text += record("message_delta", {
        delta: { stop_reason: canonicalFinishToAnthropic(stop), stop_sequence: stop.stopSequence ?? null },
        usage: canonicalUsageToAnthropic(usage ?? emptyUsage()),
      });
      return text + record("message_stop", {});
    },
  };
}
