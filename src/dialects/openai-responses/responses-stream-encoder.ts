/**
 * Canonical events → Responses SSE (`event: <type>\ndata: {"type": <type>, "sequence_number": n, …}\n\n`).
 *
 * `response.created` and `response.in_progress` open the stream. Each canonical block becomes output: text
 * and refusal blocks are content parts of one `message` item (consecutive ones share it, as OpenAI's do), a
 * tool call is a `function_call` item, reasoning a `reasoning` item with one summary part. An item is added
 * when its block opens and done when it closes (a message when anything else opens, or at the end). The end
 * is `response.completed`, or `response.incomplete` for `length`/`content_filter`, carrying the whole
 * response object and its usage; an error is an `error` event then `response.failed` (OpenAI sends both:
 * OpenAI's SDKs throw on the first, Codex reads the second). There is no `[DONE]`.
 */
import type { CanonicalError } from "../../canonical/errors.js";
import type { CanonicalFinish } from "../../canonical/finish-reason.js";
import type { CanonicalStreamEvent, StreamEncoder } from "../../canonical/stream-events.js";
import { type CanonicalUsage, emptyUsage } from "../../canonical/usage.js";
import type { JsonObject } from "../../canonical/validate.js";
import { canonicalErrorToOpenAI } from "../../errors/index.js";
import { formatSse } from "../sse.js";
import {
  callArguments,
  errorCode,
  finishStatus,
  functionCallItem,
  itemIds,
  type MessagePiece,
  messageItem,
  outputContent,
  type ResponseFields,
  type ResponsesOutputOptions,
  responseIdFor,
  responseObject,
} from "./responses-output.js";
import { reasoningItem } from "./responses-reasoning.js";
import { readToolNamespaces, splitToolName } from "./responses-tools.js";
import { canonicalUsageToResponses } from "./responses-usage.js";

interface MessageState {
  outputIndex: number;
  id: string;
  pieces: MessagePiece[];
  /** The content part being streamed, and the canonical block it comes from. */
  open?: { source: number; piece: MessagePiece; contentIndex: number };
}

interface CallState {
  outputIndex: number;
  id: string;
  callId: string;
  name: string;
  arguments: string;
}

interface ReasoningState {
  outputIndex: number;
  id: string;
  text: string;
  summaryOpen: boolean;
  signature?: string;
  data?: string;
}

export function createResponsesStreamEncoder(options: ResponsesOutputOptions = {}): StreamEncoder {
  const namespaces = readToolNamespaces(options.request);
  let sequence = 0;
  let started = false;
  let ended = false;
  let id = "";
  let model = typeof options.request?.model === "string" ? options.request.model : "";
  let createdAt = options.createdAt ?? Math.floor(Date.now() / 1000);
  let newId = itemIds("resp_");
  let nextOutput = 0;
  const output: JsonObject[] = [];
  let message: MessageState | undefined;
  const calls = new Map<number, CallState>();
  const thoughts = new Map<number, ReasoningState>();
  /** Canonical blocks already done: a late delta for one is not reopened. */
  const closed = new Set<number>();
  let usage: CanonicalUsage | undefined;
  let finish: CanonicalFinish | undefined;

  const event = (type: string, payload: JsonObject): string =>
    formatSse(JSON.stringify({ type, sequence_number: sequence++, ...payload }), type);

  const response = (fields: Omit<ResponseFields, "id" | "createdAt" | "model">): JsonObject =>
    responseObject({ id, createdAt, model, ...fields }, options.request);

  const start = (from?: Extract<CanonicalStreamEvent, { type: "message-start" }>): string => {
    started = true;
    id = responseIdFor(from?.id ?? "", options.id);
    newId = itemIds(id);
    model = from?.model || model;
    createdAt = from?.created ?? createdAt;
    usage = from?.usage ?? usage;
    const initial = response({ status: "in_progress", output: [], usage: null });
    return (
      event("response.created", { response: initial }) + event("response.in_progress", { response: initial })
    );
  };

  const itemDone = (outputIndex: number, item: JsonObject): string => {
    output[outputIndex] = item;
    return event("response.output_item.done", { output_index: outputIndex, item });
  };

  const closePiece = (): string => {
    const open = message?.open;
    if (!message || !open) return "";
    message.open = undefined;
    closed.add(open.source);
    const at = { item_id: message.id, output_index: message.outputIndex, content_index: open.contentIndex };
    const done =
      open.piece.type === "text"
        ? event("response.output_text.done", { ...at, text: open.piece.text, logprobs: [] })
        : event("response.refusal.done", { ...at, refusal: open.piece.text });
    return done + event("response.content_part.done", { ...at, part: outputContent(open.piece) });
  };

  const closeMessage = (): string => {
    if (!message) return "";
    const text = closePiece();
    const { outputIndex, id: itemId, pieces } = message;
    message = undefined;
    return text + itemDone(outputIndex, messageItem(itemId, pieces, "completed"));
  };

  const textDelta = (source: number, kind: MessagePiece["type"], delta: string): string => {
    let text = "";
    if (message?.open?.source !== source) {
      if (closed.has(source) || calls.has(source) || thoughts.has(source)) return "";
      text += closePiece();
      if (!message) {
        message = { outputIndex: nextOutput++, id: newId("msg"), pieces: [] };
        const item = messageItem(message.id, [], "in_progress");
        text += event("response.output_item.added", { output_index: message.outputIndex, item });
      }
      const piece: MessagePiece = { type: kind, text: "" };
      message.open = { source, piece, contentIndex: message.pieces.length };
      message.pieces.push(piece);
      text += event("response.content_part.added", {
        item_id: message.id,
        output_index: message.outputIndex,
        content_index: message.open.contentIndex,
        part: outputContent(piece),
      });
    }
    const open = message?.open;
    if (!message || !open || delta === "") return text;
    open.piece.text += delta;
    const at = { item_id: message.id, output_index: message.outputIndex, content_index: open.contentIndex };
    return (
      text +
      (kind === "text"
        ? event("response.output_text.delta", { ...at, delta, logprobs: [] })
        : event("response.refusal.delta", { ...at, delta }))
    );
  };

  const openCall = (source: number, callId: string, name: string): string => {
    const text = closeMessage();
    const call: CallState = { outputIndex: nextOutput++, id: newId("fc"), callId, name, arguments: "" };
    calls.set(source, call);
    const item = functionCallItem(call.id, { ...call }, namespaces, "in_progress");
    return text + event("response.output_item.added", { output_index: call.outputIndex, item });
  };

  const closeCall = (source: number, call: CallState): string => {
    calls.delete(source);
    closed.add(source);
    const at = { item_id: call.id, output_index: call.outputIndex };
    // A call without arguments still streams `{}`, so a client adding up the deltas agrees with the item.
    let text =
      call.arguments === "" ? event("response.function_call_arguments.delta", { ...at, delta: "{}" }) : "";
    const args = callArguments(call.arguments);
    const { name } = splitToolName(call.name, namespaces);
    text += event("response.function_call_arguments.done", { ...at, arguments: args, name });
    return text + itemDone(call.outputIndex, functionCallItem(call.id, { ...call }, namespaces, "completed"));
  };

  const reasoningState = (source: number): [string, ReasoningState | undefined] => {
    const known = thoughts.get(source);
    if (known || closed.has(source) || calls.has(source) || message?.open?.source === source)
      return ["", known];
    const text = closeMessage();
    const state: ReasoningState = {
      outputIndex: nextOutput++,
      id: newId("rs"),
      text: "",
      summaryOpen: false,
    };
    thoughts.set(source, state);
    const item = { id: state.id, type: "reasoning", summary: [] };
    return [text + event("response.output_item.added", { output_index: state.outputIndex, item }), state];
  };

  const reasoningDelta = (delta: Extract<CanonicalStreamEvent, { type: "reasoning-delta" }>): string => {
    const [opened, state] = reasoningState(delta.index);
    if (!state) return opened;
    if (delta.kind === "signature") state.signature = (state.signature ?? "") + delta.signature;
    if (delta.kind === "redacted") state.data = (state.data ?? "") + delta.data;
    if (delta.kind !== "text" || delta.text === "") return opened;
    const at = { item_id: state.id, output_index: state.outputIndex, summary_index: 0 };
    let text = opened;
    if (!state.summaryOpen) {
      state.summaryOpen = true;
      text += event("response.reasoning_summary_part.added", {
        ...at,
        part: { type: "summary_text", text: "" },
      });
    }
    state.text += delta.text;
    return text + event("response.reasoning_summary_text.delta", { ...at, delta: delta.text });
  };

  const closeReasoning = (source: number, state: ReasoningState): string => {
    thoughts.delete(source);
    closed.add(source);
    let text = "";
    if (state.summaryOpen) {
      const at = { item_id: state.id, output_index: state.outputIndex, summary_index: 0 };
      text += event("response.reasoning_summary_text.done", { ...at, text: state.text });
      const part = { type: "summary_text", text: state.text };
      text += event("response.reasoning_summary_part.done", { ...at, part });
    }
    const item =
      state.data !== undefined
        ? reasoningItem({ type: "redacted-reasoning", data: state.data }, state.id)
        : reasoningItem(
            state.signature === undefined
              ? { type: "reasoning", text: state.text }
              : { type: "reasoning", text: state.text, signature: state.signature },
            state.id,
          );
    return text + itemDone(state.outputIndex, item);
  };

  const closeBlock = (source: number): string => {
    if (message?.open?.source === source) return closePiece();
    const call = calls.get(source);
    if (call) return closeCall(source, call);
    const state = thoughts.get(source);
    return state ? closeReasoning(source, state) : "";
  };

  /** Everything still open, in output order. */
  const closeAll = (): string => {
    const open: Array<[number, () => string]> = [];
    if (message) open.push([message.outputIndex, closeMessage]);
    for (const [source, call] of calls) open.push([call.outputIndex, () => closeCall(source, call)]);
    for (const [source, state] of thoughts)
      open.push([state.outputIndex, () => closeReasoning(source, state)]);
    return open
      .sort(([a], [b]) => a - b)
      .map(([, close]) => close())
      .join("");
  };

  const fail = (error: CanonicalError): string => {
    ended = true;
    const code = errorCode(error);
    const { type, param } = canonicalErrorToOpenAI(error).error;
    const failed = response({
      status: "failed",
      output: output.filter(Boolean),
      usage: usage ? canonicalUsageToResponses(usage) : null,
      error: { code, message: error.message },
    });
    return (
      event("error", { error: { type, code, message: error.message, param } }) +
      event("response.failed", { response: failed })
    );
  };

  const encode = (canonical: CanonicalStreamEvent): string => {
    if (ended) return "";
    if (canonical.type === "message-start") return started ? "" : start(canonical);
    const prefix = started ? "" : start();
    switch (canonical.type) {
      case "text-delta":
        return prefix + textDelta(canonical.index, "text", canonical.text);
      case "refusal-delta":
        return prefix + textDelta(canonical.index, "refusal", canonical.text);
      case "reasoning-delta":
        return prefix + reasoningDelta(canonical);
      case "tool-call-start":
        if (closed.has(canonical.index) || calls.has(canonical.index)) return prefix;
        return prefix + openCall(canonical.index, canonical.id, canonical.name);
      case "tool-call-delta": {
        let text = prefix;
        if (!calls.has(canonical.index) && !closed.has(canonical.index))
          text += openCall(canonical.index, `call_${canonical.index}`, "");
        const call = calls.get(canonical.index);
        if (!call || canonical.arguments === "") return text;
        call.arguments += canonical.arguments;
        const at = { item_id: call.id, output_index: call.outputIndex };
        return text + event("response.function_call_arguments.delta", { ...at, delta: canonical.arguments });
      }
      case "content-block-stop":
        return prefix + closeBlock(canonical.index);
      case "usage":
        usage = canonical.usage;
        return prefix;
      case "finish":
        finish = canonical.finish;
        return prefix;
      case "error":
        return prefix + fail(canonical.error);
    }
  };

  return {
    encode,
    end() {
      if (ended) return "";
      let text = (started ? "" : start()) + closeAll();
      const { status, incompleteDetails, error } = finishStatus(finish);
      if (status === "failed" && error)
        return text + fail({ status: 502, type: "api_error", message: String(error.message) });
      ended = true;
      const final = response({
        status,
        output: output.filter(Boolean),
        usage: canonicalUsageToResponses(usage ?? emptyUsage()),
        incompleteDetails,
      });
      text += event(status === "incomplete" ? "response.incomplete" : "response.completed", {
        response: final,
      });
      return text;
    },
  };
}
