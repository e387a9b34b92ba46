/**
 * Gemini `generateContent` body → canonical response. The body is the same GenerateContentResponse a stream
 * record is, so it goes through the stream decoder as a stream of one record and its events are folded into
 * parts: a streamed answer and a non-streamed one give the same canonical content (signatures and call ids
 * included).
 */
import type { ContentPart } from "../../canonical/content.js";
import type { CanonicalFinish } from "../../canonical/finish-reason.js";
import type { ResponseResult } from "../../canonical/response.js";
import type { CanonicalStreamEvent } from "../../canonical/stream-events.js";
import { type CanonicalUsage, emptyUsage } from "../../canonical/usage.js";
import { isObject } from "../../canonical/validate.js";
import { geminiErrorToCanonical } from "./gemini-errors.js";
import { createGeminiStreamDecoder } from "./gemini-stream-decoder.js";

/** OpenRouter's name for Gemini reasoning, which the request builder recognises as Gemini's own. */
export const geminiReasoningFormat = "google-gemini-v1";

export function geminiResponseToCanonical(body: unknown, status = 200): ResponseResult {
  if (status >= 400 || !isObject(body) || isObject(body.error))
    return { ok: false, error: geminiErrorToCanonical(status >= 400 ? status : 502, body) };
  return foldGeminiEvents(createGeminiStreamDecoder().push(body));
}

/** Canonical events of one Gemini answer → the response they describe (blocks in index order). */
export function foldGeminiEvents(events: CanonicalStreamEvent[]): ResponseResult {
  const blocks = new Map<number, ContentPart>();
  let id = "";
  let model = "";
  let created: number | undefined;
  let usage: CanonicalUsage | undefined;
  let finish: CanonicalFinish = { unified: "other", raw: undefined };
  for (const event of events) {
    switch (event.type) {
      case "message-start":
        id = event.id;
        model = event.model;
        created = event.created;
        break;
      case "text-delta": {
        const part = blocks.get(event.index) ?? { type: "text", text: "" };
        if (part.type !== "text") break;
        part.text += event.text;
        if (event.signature !== undefined) part.signature = event.signature;
        blocks.set(event.index, part);
        break;
      }
      case "reasoning-delta": {
        // Marked as Gemini's, so that its signature goes back to Gemini and to no other provider.
        const part = blocks.get(event.index) ?? {
          type: "reasoning",
          text: "",
          format: geminiReasoningFormat,
        };
        if (part.type !== "reasoning") break;
        if (event.kind === "text") part.text += event.text;
        else if (event.kind === "signature") part.signature = event.signature;
        blocks.set(event.index, part);
        break;
      }
      case "tool-call-start": {
        const part: ContentPart = { type: "tool-call", id: event.id, name: event.name, arguments: "" };
        if (event.signature !== undefined) part.signature = event.signature;
        blocks.set(event.index, part);
        break;
      }
      case "tool-call-delta": {
        const part = blocks.get(event.index);
        if (part?.type === "tool-call") part.arguments += event.arguments;
        break;
      }
      case "usage":
        usage = event.usage;
        break;
      case "finish":
        finish = event.finish;
        break;
      case "error":
        return { ok: false, error: event.error };
      default:
      // content-block-stop and the refusal deltas Gemini never produces.
    }
  }
  const content = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
  const response = { id, model, content, finish, usage: usage ?? emptyUsage() };
  return { ok: true, response: created === undefined ? response : { ...response, created } };
}
