/**
 * What a Responses request can keep when it goes to an upstream that does not speak the Responses API (chat
 * completions, Anthropic Messages…), checked on the canonical form before that upstream's request builder runs.
 *
 * Refused (a 400 naming the field): state the gateway does not keep (`previous_response_id`, `conversation`,
 * stored `prompt`s, `background` runs, `item_reference` items), and, unless told to drop them, tools that only
 * OpenAI runs or that have no canonical form (`web_search`, `file_search`, `custom`, `local_shell`…).
 * Left out with a warning: other items and parameters with no canonical meaning.
 */
import type { CanonicalMessage, ContentPart } from "../../canonical/content.js";
import type { FieldError, TranslationWarning } from "../../canonical/errors.js";
import type { CanonicalRequest, CanonicalTool } from "../../canonical/request.js";
import { isObject, type JsonObject } from "../../canonical/validate.js";
import { responsesDialect } from "./responses-tools.js";

export interface ResponsesTranslationOptions {
  /**
   * Tools with no canonical form (OpenAI-hosted `web_search`, `file_search`…, and `custom`, `local_shell`…):
   * `refuse` the request (default) or `drop` them with a warning. Codex sends `web_search` by default.
   */
  opaqueTools?: "refuse" | "drop";
}

export type ResponsesTranslation =
  | { ok: true; request: CanonicalRequest; warnings: TranslationWarning[] }
  | { ok: false; error: FieldError };

const noState = "the gateway keeps no responses for an upstream that is not OpenAI's Responses API";

/** Extras that need server-side state, with what to tell the client. */
const stateful: Record<string, string> = {
  previous_response_id: `${noState}; send the whole conversation in input (and store: false)`,
  conversation: `${noState} or conversations; send the whole conversation in input`,
  prompt: "stored prompt templates live at OpenAI; send the instructions and input instead",
};

/** Whether an extra, as sent, changes nothing when left out (OpenAI's defaults, or what the gateway does anyway). */
function harmless(key: string, value: unknown): boolean {
  switch (key) {
    case "store":
    case "background":
      return value === false;
    case "include":
      // Encrypted reasoning comes back whenever there is any (responses-reasoning.ts).
      return Array.isArray(value) && value.every((item) => item === "reasoning.encrypted_content");
    case "stream_options":
      return isObject(value) && value.include_obfuscation === false && Object.keys(value).length === 1;
    case "truncation":
      return value === "disabled";
    case "service_tier":
      return value === "auto" || value === "default";
    default:
      return false;
  }
}

function extraWarnings(extra: JsonObject, warn: (field: string, message: string) => void): void {
  for (const [key, value] of Object.entries(extra)) {
    if (value === null || harmless(key, value)) continue;
    if (key === "tool_choice") {
      warn(
        "tool_choice",
        `a ${String((value as JsonObject).type)} tool choice has no equivalent here; not sent`,
      );
    } else if (key === "reasoning" || key === "text") {
      // `reasoning.summary` is honoured: this upstream's reasoning comes back as the summary.
      for (const inner of Object.keys(value as JsonObject))
        if (!(key === "reasoning" && inner === "summary"))
          warn(`${key}.${inner}`, "an OpenAI Responses setting; not sent to this upstream");
    } else if (key === "store") {
      warn("store", "the gateway does not store responses for this upstream");
    } else warn(key, "an OpenAI Responses parameter; not sent to this upstream");
  }
}

/**
 * The request for a non-Responses upstream: refused when it relies on something only OpenAI's Responses API
 * has, else without the Responses-only tools and items (each reported).
 */
export function prepareResponsesTranslation(
  request: CanonicalRequest,
  options: ResponsesTranslationOptions = {},
): ResponsesTranslation {
  const extra = request.extra["openai-responses"] ?? {};
  for (const [key, message] of Object.entries(stateful))
    if (extra[key] !== undefined && extra[key] !== null) return { ok: false, error: { field: key, message } };
  if (extra.background === true)
    return {
      ok: false,
      error: { field: "background", message: `${noState}; background runs are not possible` },
    };
  const warnings: TranslationWarning[] = [];
  const warn = (field: string, message: string) => warnings.push({ field, message });

  const responsesParts = (message: CanonicalMessage) =>
    message.content.filter((part) => part.type === "opaque" && part.dialect === responsesDialect);
  if (request.messages.some((message) => responsesParts(message).some(isItemReference))) {
    const message = `an item_reference names an item stored at OpenAI; ${noState}`;
    return { ok: false, error: { field: "input", message } };
  }
  const messages: CanonicalMessage[] = [];
  for (const message of request.messages) {
    const left = responsesParts(message);
    for (const part of left)
      if (part.type === "opaque")
        warn("input", `a ${String(part.value.type)} item has no equivalent for this upstream; left out`);
    const content = message.content.filter((part) => !left.includes(part));
    if (content.length > 0 || left.length === 0)
      messages.push(left.length === 0 ? message : { ...message, content });
  }

  let tools: CanonicalTool[] | undefined;
  for (const tool of request.tools ?? []) {
    tools ??= [];
    if (tool.type === "opaque" && tool.dialect === responsesDialect) {
      const message = `the ${String(tool.value.type)} tool runs only at OpenAI or has no equivalent for this upstream`;
      if ((options.opaqueTools ?? "refuse") === "refuse")
        return { ok: false, error: { field: "tools", message } };
      warn("tools", `${message}; not sent`);
    } else if (tool.type === "function" && tool.extra?.dialect === responsesDialect) {
      const { extra: settings, ...rest } = tool;
      for (const key of Object.keys(settings.fields))
        warn("tools", `the ${key} setting of function ${tool.name} is OpenAI's only; not sent`);
      tools.push(rest);
    } else tools.push(tool);
  }
  extraWarnings(extra, warn);

  const { "openai-responses": _, ...otherExtras } = request.extra;
  const prepared: CanonicalRequest = { ...request, messages, extra: otherExtras };
  if (tools !== undefined && tools.length > 0) prepared.tools = tools;
  else if (request.tools !== undefined) {
    delete prepared.tools;
    delete prepared.toolChoice;
  }
  return { ok: true, request: prepared, warnings };
}

function isItemReference(part: ContentPart): boolean {
  return part.type === "opaque" && part.value.type === "item_reference";
}
