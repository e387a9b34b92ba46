/**
 * Gemini `streamGenerateContent?alt=sse` → canonical events. Every SSE record is a whole GenerateContentResponse
 * holding only the new parts (wire-formats §4.4), so the non-streamed body is read by the same machine as a
 * stream of one record (gemini-response.ts).
 *
 * Blocks: consecutive text parts continue one text block, consecutive thought parts (`thought: true`) one
 * reasoning block; a function call is a block of its own (tool-call-start, one tool-call-delta with the whole
 * arguments as JSON, content-block-stop). Signatures (`thoughtSignature`) stay on the part that carried them,
 * because Gemini wants them back there: a call's on its tool-call-start, a text part's on a text-delta (the
 * usual empty last text part signs the text before it), a thought part's as a reasoning signature delta; a
 * block that has a signature takes no more parts. Usage repeats on every record: a usage event whenever it
 * changes. The finish comes with the record that has `finishReason`.
 */
import type { CanonicalStreamEvent, StreamDecoder } from "../../canonical/stream-events.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { streamError } from "../openai/openai-stream-decoder.js";
import { geminiCallId } from "./gemini-call-id.js";
import { geminiErrorToCanonical, geminiPromptBlockedError } from "./gemini-errors.js";
import { geminiFinishToCanonical } from "./gemini-finish-reason.js";
import { createPartialArguments, type PartialArguments } from "./gemini-partial-args.js";
import { geminiUsageToCanonical } from "./gemini-usage.js";

/** Unix seconds from Vertex's `createTime` (RFC 3339). */
function createdSeconds(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}

function signatureOf(part: JsonObject): string | undefined {
  return typeof part.thoughtSignature === "string" && part.thoughtSignature !== ""
    ? part.thoughtSignature
    : undefined;
}

/** The first candidate (`index` 0, or absent); others are not read (the gateway asks for one). */
function firstCandidate(chunk: JsonObject): JsonObject | undefined {
  if (!Array.isArray(chunk.candidates)) return undefined;
  const candidate = chunk.candidates.find((item) => isObject(item) && (item.index ?? 0) === 0);
  return isObject(candidate) ? candidate : undefined;
}

export function createGeminiStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let failed = false;
  let responseId = "";
  let nextIndex = 0;
  let calls = 0;
  let lastUsage: string | undefined;
  let open: { kind: "text" | "reasoning"; index: number; signed: boolean } | undefined;
  let streamedCall: { index: number; args: PartialArguments } | undefined;

  const closeBlock = (out: CanonicalStreamEvent[]): void => {
    if (open) out.push({ type: "content-block-stop", index: open.index });
    open = undefined;
    if (streamedCall) {
      out.push({ type: "tool-call-delta", index: streamedCall.index, arguments: streamedCall.args.json() });
      out.push({ type: "content-block-stop", index: streamedCall.index });
    }
    streamedCall = undefined;
  };

  const flowIndex = (kind: "text" | "reasoning", out: CanonicalStreamEvent[], sealed = false): number => {
    if (open?.kind === kind && !sealed) return open.index;
    closeBlock(out);
    open = { kind, index: nextIndex++, signed: false };
    return open.index;
  };

  const startCall = (
    call: JsonObject,
    signature: string | undefined,
    out: CanonicalStreamEvent[],
  ): number => {
    closeBlock(out);
    const index = nextIndex++;
    const name = typeof call.name === "string" ? call.name : "";
    const id =
      typeof call.id === "string" && call.id !== "" ? call.id : geminiCallId(responseId, calls, name);
    calls++;
    const start: CanonicalStreamEvent = { type: "tool-call-start", index, id, name };
    if (signature !== undefined) start.signature = signature;
    out.push(start);
    return index;
  };

  /**
   * A call normally arrives whole (`name` and `args`). With streamed arguments it opens with `name` and
   * `willContinue: true`, continues in parts without a name, and ends with the first of them that does not
   * continue (usually an empty `functionCall: {}`).
   */
  const functionCall = (
    call: JsonObject,
    signature: string | undefined,
    out: CanonicalStreamEvent[],
  ): void => {
    if (typeof call.name === "string" && call.name !== "") {
      const index = startCall(call, signature, out);
      const args = createPartialArguments();
      args.apply(call.partialArgs);
      if (call.willContinue === true) {
        streamedCall = { index, args };
        return;
      }
      const text = isObject(call.args) ? JSON.stringify(call.args) : args.json();
      out.push({ type: "tool-call-delta", index, arguments: text });
      out.push({ type: "content-block-stop", index });
      return;
    }
    if (!streamedCall) return;
    streamedCall.args.apply(call.partialArgs);
    if (call.willContinue !== true) closeBlock(out);
  };

  const textPart = (part: JsonObject, text: string, out: CanonicalStreamEvent[]): void => {
    const signature = signatureOf(part);
    if (text === "" && signature === undefined) return;
    const kind = part.thought === true ? "reasoning" : "text";
    // A signed block takes no more parts: its signature must go back on exactly that text.
    const index = flowIndex(kind, out, open?.kind === kind && open.signed);
    if (open && signature !== undefined) open.signed = true;
    if (kind === "reasoning") {
      if (text !== "") out.push({ type: "reasoning-delta", index, kind: "text", text });
      if (signature !== undefined) out.push({ type: "reasoning-delta", index, kind: "signature", signature });
      return;
    }
    const delta: CanonicalStreamEvent = { type: "text-delta", index, text };
    if (signature !== undefined) delta.signature = signature;
    out.push(delta);
  };

  const parts = (candidate: JsonObject, out: CanonicalStreamEvent[]): void => {
    const content = isObject(candidate.content) ? candidate.content : {};
    if (!Array.isArray(content.parts)) return;
    for (const part of content.parts) {
      if (!isObject(part)) continue;
      if (isObject(part.functionCall)) functionCall(part.functionCall, signatureOf(part), out);
      else if (typeof part.text === "string") textPart(part, part.text, out);
      // inlineData, executableCode, codeExecutionResult…: no canonical meaning; not read.
    }
  };

  const push = (chunk: unknown): CanonicalStreamEvent[] => {
    const out: CanonicalStreamEvent[] = [];
    if (failed) return out;
    if (!isObject(chunk)) {
      failed = true;
      return [{ type: "error", error: streamError("malformed upstream stream chunk") }];
    }
    if (isObject(chunk.error)) {
      failed = true;
      return [{ type: "error", error: geminiErrorToCanonical(200, chunk) }];
    }
    // Before message-start, so that a relay that has sent nothing yet can still answer with an error status.
    const feedback = chunk.promptFeedback;
    if (isObject(feedback) && typeof feedback.blockReason === "string") {
      failed = true;
      return [{ type: "error", error: geminiPromptBlockedError(feedback) }];
    }
    if (!started) {
      started = true;
      responseId = typeof chunk.responseId === "string" ? chunk.responseId : "";
      const start: CanonicalStreamEvent = {
        type: "message-start",
        id: responseId,
        model: typeof chunk.modelVersion === "string" ? chunk.modelVersion : "",
      };
      const created = createdSeconds(chunk.createTime);
      if (created !== undefined) start.created = created;
      out.push(start);
    }
    const candidate = firstCandidate(chunk);
    if (candidate && !finished) parts(candidate, out);
    const usage = geminiUsageToCanonical(chunk.usageMetadata);
    const usageKey = usage && JSON.stringify(usage);
    if (usage && usageKey !== lastUsage) {
      lastUsage = usageKey;
      out.push({ type: "usage", usage });
    }
    if (candidate && typeof candidate.finishReason === "string" && !finished) {
      closeBlock(out);
      finished = true;
      out.push({ type: "finish", finish: geminiFinishToCanonical(candidate.finishReason, calls > 0) });
    }
    return out;
  };

  return {
    push,
    pushData(data) {
      try {
        return push(JSON.parse(data));
      } catch {
        return push(undefined);
      }
    },
    end() {
      if (finished || failed) return [];
      failed = true;
      return [{ type: "error", error: streamError("upstream stream ended before a finishReason") }];
    },
  };
}
