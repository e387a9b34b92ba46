/**
 * Canonical events → Gemini's `streamGenerateContent?alt=sse` for a client (wire-formats §4.4): data-only SSE
 * records, each a whole GenerateContentResponse holding only the new parts. The finish reason and the usage
 * go in one last record at end() (OpenAI upstreams send usage after their finish chunk), so the last `data:`
 * line carries `usageMetadata`, where Cody Gateway reads a stream's usage (reference/cody.md §4.2). A failure
 * midway is Google's error body as a record (`{"error": {code, message, status}}`).
 */
import type { CanonicalError } from "../../canonical/errors.js";
import type { CanonicalFinish } from "../../canonical/finish-reason.js";
import type { CanonicalStreamEvent, StreamEncoder } from "../../canonical/stream-events.js";
import { type CanonicalUsage, emptyUsage } from "../../canonical/usage.js";
import type { JsonObject } from "../../canonical/validate.js";
import { formatSse } from "../sse.js";
import { canonicalFinishToGemini, canonicalUsageToGemini } from "./gemini-response-encode.js";

const statusNames: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** Google's error body (wire-formats §4.5) for a status and message. */
export function geminiErrorBody(status: number, message: string): JsonObject {
  return { error: { code: status, message, status: statusNames[status] ?? "INTERNAL" } };
}

export function canonicalErrorToGemini(error: CanonicalError): JsonObject {
  return geminiErrorBody(error.status, error.message);
}

export function createGeminiStreamEncoder(options: { model?: string } = {}): StreamEncoder {
  let model = options.model ?? "";
  let id = "";
  let usage: CanonicalUsage | undefined;
  let finish: CanonicalFinish | undefined;
  let done = false;

  const record = (parts: JsonObject[], final: boolean): string => {
    const candidate: JsonObject = { content: { role: "model", parts }, index: 0 };
    if (final)
      candidate.finishReason = canonicalFinishToGemini(finish ?? { unified: "other", raw: undefined });
    const chunk: JsonObject = { candidates: [candidate] };
    if (final) chunk.usageMetadata = canonicalUsageToGemini(usage ?? emptyUsage());
    chunk.modelVersion = model;
    chunk.responseId = id;
    return formatSse(JSON.stringify(chunk));
  };

  return {
    encode(event: CanonicalStreamEvent): string {
      if (done) return "";
      switch (event.type) {
        case "message-start":
          id = event.id;
          if (event.model !== "") model = event.model;
          usage = event.usage ?? usage;
          return "";
        case "text-delta":
          if (event.signature !== undefined)
            return record([{ text: event.text, thoughtSignature: event.signature }], false);
          return event.text === "" ? "" : record([{ text: event.text }], false);
        case "reasoning-delta":
          return event.kind === "text" && event.text !== ""
            ? record([{ text: event.text, thought: true }], false)
            : "";
        case "usage":
          usage = event.usage;
          return "";
        case "finish":
          finish = event.finish;
          return "";
        case "error":
          done = true;
          return formatSse(JSON.stringify(canonicalErrorToGemini(event.error)));
        default:
          // Tool calls cannot happen (the route takes no tools); block boundaries have no Gemini form.
          return "";
      }
    },
    end(): string {
      if (done) return "";
      done = true;
      return record([], true);
    },
  };
}
