/**
 * The pieces of a Responses answer shared by the non-streamed body and the stream: ids, output items, the
 * `response` object with the request's settings echoed back, status and error mapping.
 */
import type { CanonicalError } from "../../canonical/errors.js";
import type { CanonicalFinish } from "../../canonical/finish-reason.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { splitToolName, type ToolNamespaces } from "./responses-tools.js";
import type { ResponsesUsage } from "./responses-usage.js";

export interface ResponsesOutputOptions {
  /** The response id (`resp_…`); derived from the canonical id when absent. */
  id?: string;
  /** Unix seconds, when the canonical answer has none. */
  createdAt?: number;
  /**
   * The client's request body. OpenAI echoes its settings (`instructions`, `tools`, `tool_choice`, `reasoning`,
   * `text`…) in the response object; its namespaced tools name the function calls (responses-tools.ts).
   */
  request?: JsonObject;
}

/** A response id: ours when given, the upstream's when it is a Responses id, else `resp_` + the upstream's. */
export function responseIdFor(canonicalId: string, given?: string): string {
  if (given) return given;
  if (canonicalId.startsWith("resp_")) return canonicalId;
  const safe = canonicalId.replace(/[^A-Za-z0-9]/g, "");
  return `resp_${safe || Date.now().toString(36)}`;
}

/** Item ids unique within one response: `msg_<response>_0`, `fc_<response>_1`… */
export function itemIds(responseId: string): (prefix: "msg" | "fc" | "rs") => string {
  const base = responseId.replace(/^resp_/, "");
  let next = 0;
  return (prefix) => `${prefix}_${base}_${next++}`;
}

export type MessagePiece = { type: "text" | "refusal"; text: string };

export function outputContent(piece: MessagePiece): JsonObject {
  return piece.type === "text"
    ? { type: "output_text", annotations: [], logprobs: [], text: piece.text }
    : { type: "refusal", refusal: piece.text };
}

export function messageItem(
  id: string,
  pieces: MessagePiece[],
  status: "in_progress" | "completed",
): JsonObject {
  return { id, type: "message", status, content: pieces.map(outputContent), role: "assistant" };
}

export interface CallPiece {
  callId: string;
  name: string;
  arguments: string;
}

/** Canonical "no arguments" is the empty string; Responses clients parse the arguments as JSON. */
export function callArguments(text: string): string {
  return text === "" ? "{}" : text;
}

export function functionCallItem(
  id: string,
  call: CallPiece,
  namespaces: ToolNamespaces,
  status: "in_progress" | "completed",
): JsonObject {
  const { name, namespace } = splitToolName(call.name, namespaces);
  const item: JsonObject = {
    id,
    type: "function_call",
    status,
    arguments: status === "completed" ? callArguments(call.arguments) : call.arguments,
    call_id: call.callId,
    name,
  };
  if (namespace !== undefined) item.namespace = namespace;
  return item;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

/** The status a finish reason ends a response with (`length` and `content_filter` are OpenAI's incomplete). */
export function finishStatus(finish: CanonicalFinish | undefined): {
  status: ResponseStatus;
  incompleteDetails: JsonObject | null;
  error: JsonObject | null;
} {
  switch (finish?.unified) {
    case "length":
      return { status: "incomplete", incompleteDetails: { reason: "max_output_tokens" }, error: null };
    case "content_filter":
      return { status: "incomplete", incompleteDetails: { reason: "content_filter" }, error: null };
    case "error":
      return {
        status: "failed",
        incompleteDetails: null,
        error: { code: "server_error", message: "the model stopped with an error" },
      };
    default:
      return { status: "completed", incompleteDetails: null, error: null };
  }
}

/** OpenAI's error code for a canonical error (Codex reads `context_length_exceeded`, `rate_limit_exceeded`…). */
export function errorCode(error: CanonicalError): string {
  if (error.code) return error.code;
  if (error.type === "rate_limit") return "rate_limit_exceeded";
  if (error.type === "invalid_request") return "invalid_prompt";
  return "server_error";
}

export interface ResponseFields {
  id: string;
  createdAt: number;
  model: string;
  status: ResponseStatus;
  output: JsonObject[];
  usage: ResponsesUsage | null;
  error?: JsonObject | null;
  incompleteDetails?: JsonObject | null;
}

const echo = (request: JsonObject, key: string, fallback: unknown): unknown => request[key] ?? fallback;

/**
 * The `response` object, fields in OpenAI's order. Settings come from the client's request as OpenAI echoes
 * them; `store` is false whatever was asked: this gateway keeps no responses.
 */
export function responseObject(fields: ResponseFields, request: JsonObject = {}): JsonObject {
  return {
    id: fields.id,
    object: "response",
    created_at: fields.createdAt,
    status: fields.status,
    background: false,
    error: fields.error ?? null,
    incomplete_details: fields.incompleteDetails ?? null,
    instructions: echo(request, "instructions", null),
    max_output_tokens: echo(request, "max_output_tokens", null),
    max_tool_calls: echo(request, "max_tool_calls", null),
    model: fields.model,
    output: fields.output,
    parallel_tool_calls: echo(request, "parallel_tool_calls", true),
    previous_response_id: null,
    prompt_cache_key: echo(request, "prompt_cache_key", null),
    reasoning: echo(request, "reasoning", null),
    safety_identifier: echo(request, "safety_identifier", null),
    store: false,
    temperature: echo(request, "temperature", null),
    text: echo(request, "text", { format: { type: "text" } }),
    tool_choice: echo(request, "tool_choice", "auto"),
    tools: echo(request, "tools", []),
    top_p: echo(request, "top_p", null),
    truncation: echo(request, "truncation", "disabled"),
    usage: fields.usage,
    user: echo(request, "user", null),
    metadata: isObject(request.metadata) ? request.metadata : {},
  };
}
