/**
 * OpenAI-family stream (chat.completion.chunk and legacy text_completion) → canonical events. A state
 * machine over parsed chunks: it opens a block per kind of content, keeps tool calls apart by their index
 * (or id, for Mistral calls without one), and never throws.
 */
import type { CanonicalError } from "../../canonical/errors.js";
import type { CanonicalStreamEvent, StreamDecoder } from "../../canonical/stream-events.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { openaiErrorToCanonical } from "./openai-errors.js";
import { openaiFinishToCanonical } from "./openai-finish-reason.js";
import { openaiUsageToCanonical } from "./openai-usage.js";

type FlowKind = "text" | "reasoning" | "refusal";

export function streamError(message: string): CanonicalError {
  return { status: 502, type: "api_error", message };
}

export function createOpenAIStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let failed = false;
  let nextIndex = 0;
  let flow: { kind: FlowKind; index: number } | undefined;
  let openTool: number | undefined;
  const toolBlocks = new Map<string | number, number>();
  let lastToolKey: string | number | undefined;

  const closeOpen = (out: CanonicalStreamEvent[]): void => {
    if (flow) out.push({ type: "content-block-stop", index: flow.index });
    if (openTool !== undefined) out.push({ type: "content-block-stop", index: openTool });
    flow = undefined;
    openTool = undefined;
  };

  const flowIndex = (kind: FlowKind, out: CanonicalStreamEvent[]): number => {
    if (flow?.kind === kind) return flow.index;
    closeOpen(out);
    flow = { kind, index: nextIndex++ };
    return flow.index;
  };

  const reasoning = (delta: JsonObject, out: CanonicalStreamEvent[]): void => {
    const details = Array.isArray(delta.reasoning_details) ? delta.reasoning_details.filter(isObject) : [];
    let detailText = false;
    for (const detail of details) {
      if (detail.type === "reasoning.encrypted" && typeof detail.data === "string") {
        closeOpen(out);
        const index = nextIndex++;
        out.push({ type: "reasoning-delta", index, kind: "redacted", data: detail.data });
        out.push({ type: "content-block-stop", index });
        continue;
      }
      const text =
        typeof detail.text === "string"
          ? detail.text
          : typeof detail.summary === "string"
            ? detail.summary
            : "";
      if (text !== "") {
        detailText = true;
        out.push({ type: "reasoning-delta", index: flowIndex("reasoning", out), kind: "text", text });
      }
      if (typeof detail.signature === "string" && detail.signature !== "") {
        out.push({
          type: "reasoning-delta",
          index: flowIndex("reasoning", out),
          kind: "signature",
          signature: detail.signature,
        });
      }
    }
    if (detailText) return;
    // OpenRouter repeats the details' text in `reasoning`; DeepSeek, Mistral and Fireworks use `reasoning_content`.
    const text = typeof delta.reasoning_content === "string" ? delta.reasoning_content : delta.reasoning;
    if (typeof text === "string" && text !== "") {
      out.push({ type: "reasoning-delta", index: flowIndex("reasoning", out), kind: "text", text });
    }
  };

  const toolCalls = (calls: unknown[], out: CanonicalStreamEvent[]): void => {
    for (const call of calls) {
      if (!isObject(call)) continue;
      const fn = isObject(call.function) ? call.function : {};
      const id = typeof call.id === "string" && call.id !== "" ? call.id : undefined;
      const key =
        typeof call.index === "number" ? call.index : id !== undefined ? `id:${id}` : (lastToolKey ?? 0);
      let index = toolBlocks.get(key);
      if (index === undefined) {
        closeOpen(out);
        index = nextIndex++;
        toolBlocks.set(key, index);
        openTool = index;
        out.push({
          type: "tool-call-start",
          index,
          id: id ?? `call_${index}`,
          name: typeof fn.name === "string" ? fn.name : "",
        });
      }
      lastToolKey = key;
      if (typeof fn.arguments === "string" && fn.arguments !== "")
        out.push({ type: "tool-call-delta", index, arguments: fn.arguments });
    }
  };

  const push = (chunk: unknown): CanonicalStreamEvent[] => {
    const out: CanonicalStreamEvent[] = [];
    if (failed) return out;
    if (!isObject(chunk)) {
      out.push({ type: "error", error: streamError("malformed upstream stream chunk") });
      failed = true;
      return out;
    }
    if (isObject(chunk.error)) {
      out.push({ type: "error", error: openaiErrorToCanonical(200, chunk) });
      failed = true;
      return out;
    }
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const usage = openaiUsageToCanonical(chunk.usage);
    // Azure's first chunk has an empty id and only prompt_filter_results: not the start of the message yet.
    if (!started && (choices.length > 0 || usage)) {
      started = true;
      const start: CanonicalStreamEvent = {
        type: "message-start",
        id: String(chunk.id ?? ""),
        model: String(chunk.model ?? ""),
      };
      if (typeof chunk.created === "number") start.created = chunk.created;
      out.push(start);
    }
    const choice = choices.find((item) => isObject(item) && (item.index ?? 0) === 0);
    if (isObject(choice)) {
      const delta: JsonObject = isObject(choice.delta)
        ? choice.delta
        : typeof choice.text === "string"
          ? { content: choice.text }
          : {};
      reasoning(delta, out);
      if (typeof delta.content === "string" && delta.content !== "") {
        out.push({ type: "text-delta", index: flowIndex("text", out), text: delta.content });
      }
      if (typeof delta.refusal === "string" && delta.refusal !== "") {
        out.push({ type: "refusal-delta", index: flowIndex("refusal", out), text: delta.refusal });
      }
      if (Array.isArray(delta.tool_calls)) toolCalls(delta.tool_calls, out);
      if (typeof choice.finish_reason === "string" && !finished) {
        closeOpen(out);
        finished = true;
        out.push({ type: "finish", finish: openaiFinishToCanonical(choice.finish_reason) });
      }
    }
    if (usage) out.push({ type: "usage", usage });
    return out;
  };

  return {
    push,
    pushData(data) {
      if (data.trim() === "[DONE]") return [];
      try {
        return push(JSON.parse(data));
      } catch {
        return push(undefined);
      }
    },
    end() {
      if (finished || failed) return [];
      failed = true;
      return [{ type: "error", error: streamError("upstream stream ended before a finish reason") }];
    },
  };
}
