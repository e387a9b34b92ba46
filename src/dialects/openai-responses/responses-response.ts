/**
 * Canonical response → the non-streamed Responses body (`object: "response"`). Consecutive text and refusal
 * parts are one `message` item; each tool call is a `function_call` item; reasoning is `reasoning` items
 * (responses-reasoning.ts). `output_text` is a convenience of OpenAI's SDKs, not of the API, and is not written.
 */
import type { CanonicalResponse } from "../../canonical/response.js";
import type { JsonObject } from "../../canonical/validate.js";
import {
  finishStatus,
  functionCallItem,
  itemIds,
  type MessagePiece,
  messageItem,
  type ResponsesOutputOptions,
  responseIdFor,
  responseObject,
} from "./responses-output.js";
import { type ReasoningParts, reasoningItems } from "./responses-reasoning.js";
import { readToolNamespaces } from "./responses-tools.js";
import { canonicalUsageToResponses } from "./responses-usage.js";

export type { ResponsesOutputOptions };

export function canonicalToResponsesResponse(
  response: CanonicalResponse,
  options: ResponsesOutputOptions = {},
): JsonObject {
  const id = responseIdFor(response.id, options.id);
  const newId = itemIds(id);
  const namespaces = readToolNamespaces(options.request);
  const output: JsonObject[] = [];
  let message: MessagePiece[] = [];
  let reasoning: ReasoningParts = [];
  const flushMessage = () => {
    if (message.length > 0) output.push(messageItem(newId("msg"), message, "completed"));
    message = [];
  };
  const flushReasoning = () => {
    if (reasoning.length > 0) output.push(...reasoningItems(reasoning, () => newId("rs")));
    reasoning = [];
  };
  for (const part of response.content) {
    if (part.type === "text" || part.type === "refusal") {
      flushReasoning();
      message.push({ type: part.type, text: part.text });
    } else if (part.type === "reasoning" || part.type === "redacted-reasoning") {
      flushMessage();
      reasoning.push(part);
    } else if (part.type === "tool-call") {
      flushMessage();
      flushReasoning();
      const call = { callId: part.id, name: part.name, arguments: part.arguments };
      output.push(functionCallItem(newId("fc"), call, namespaces, "completed"));
    }
    // Images, tool results and other dialects' opaque blocks have no place in a Responses output.
  }
  flushMessage();
  flushReasoning();
  const { status, incompleteDetails, error } = finishStatus(response.finish);
  return responseObject(
    {
      id,
      createdAt: response.created ?? options.createdAt ?? Math.floor(Date.now() / 1000),
      model: response.model,
      status,
      output,
      usage: canonicalUsageToResponses(response.usage),
      error,
      incompleteDetails,
    },
    options.request,
  );
}
