/**
 * What Cody Gateway does to an instance's bodies before they go upstream (reference/cody.md §4.2), done here so
 * the canonical path sees the bodies a provider would take. The body is the request's own parsed JSON: changed in
 * place, and only when there is something to change.
 */

import { isObject } from "../../canonical/validate.js";

/** The first text of a message's content, a string or `[{type: "text", text}]`. */
function firstText(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  for (const part of content) if (isObject(part) && typeof part.text === "string") return part.text;
  return undefined;
}

/** A Sourcegraph instance writes `-1` for a `top_k` or `top_p` it leaves to the model; providers refuse it. */
function dropUnsetSampling(body: Record<string, unknown>): void {
  if (typeof body.top_k === "number" && body.top_k < 0) delete body.top_k;
  if (typeof body.top_p === "number" && body.top_p < 0) delete body.top_p;
}

/**
 * anthropic-messages: an instance sends its system prompt as a first message with role `system`, which Anthropic
 * refuses; Cody Gateway lifts its first text to the top-level `system` (replacing one the client sent).
 */
export function prepareMessagesBody(body: unknown): void {
  if (!isObject(body)) return;
  dropUnsetSampling(body);
  if (!Array.isArray(body.messages)) return;
  const first = body.messages[0];
  if (!isObject(first) || first.role !== "system") return;
  const text = firstText(first.content);
  body.messages.shift();
  if (text === undefined) delete body.system;
  else body.system = text;
}

/** fireworks: `languageId` picks Cody Gateway's fine-tuned models; it is not Fireworks' and is not forwarded. */
export function prepareFireworksBody(body: unknown): void {
  if (!isObject(body)) return;
  dropUnsetSampling(body);
  if ("languageId" in body) delete body.languageId;
}

/** openai: only the unset sampling values. */
export function prepareOpenAIBody(body: unknown): void {
  if (isObject(body)) dropUnsetSampling(body);
}
