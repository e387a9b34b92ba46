/**
 * Responses `input` (our API input) → canonical system parts and messages, strictly validated.
 *
 * Items follow one another flat; canonically, consecutive model items (assistant messages, reasoning,
 * function calls) are one assistant message and consecutive `function_call_output`s one tool message.
 * `system`/`developer` messages join the system prompt in order, as in the chat dialect. Items with no
 * canonical form (`web_search_call`, `local_shell_call_output`, `item_reference`…) stay opaque parts of the
 * `openai-responses` dialect, on the assistant side when the model produced them, else on the user side.
 */
import type {
  CanonicalMessage,
  ContentPart,
  ImagePart,
  MessageRole,
  SystemPart,
  TextPart,
} from "../../canonical/content.js";
import { base64DataUrl, checkBase64Media } from "../../canonical/media-bytes.js";
import {
  asArray,
  asObject,
  asString,
  fail,
  fieldPath,
  isObject,
  type JsonObject,
  oneOf,
  optString,
} from "../../canonical/validate.js";
import { imageFromUrl } from "../openai/openai-chat-request-parse.js";
import { parseReasoningItem } from "./responses-reasoning.js";
import { namespacedName, responsesDialect, type Warn } from "./responses-tools.js";

/** Items the model (or OpenAI on its behalf) produced: they belong to the assistant turn. */
const modelItemTypes = new Set([
  "file_search_call",
  "computer_call",
  "web_search_call",
  "image_generation_call",
  "code_interpreter_call",
  "local_shell_call",
  "shell_call",
  "apply_patch_call",
  "mcp_list_tools",
  "mcp_approval_request",
  "mcp_call",
  "custom_tool_call",
  "tool_search_call",
  "compaction",
  "compaction_summary",
  "program",
]);

/** Items the client adds (results of client-run tools, references): they belong to the user side. */
const clientItemTypes = new Set([
  "computer_call_output",
  "local_shell_call_output",
  "shell_call_output",
  "apply_patch_call_output",
  "mcp_approval_response",
  "custom_tool_call_output",
  "tool_search_output",
  "additional_tools",
  "item_reference",
  "compaction_trigger",
  "program_output",
]);

const textTypes = ["input_text", "output_text"] as const;
// OpenAI checks which of input_text/output_text fits which role; both are plain text here.
const partTypes = {
  user: [...textTypes, "input_image", "input_file", "input_audio"],
  assistant: [...textTypes, "refusal"],
  system: textTypes,
} as const;

function opaque(value: JsonObject): ContentPart {
  return { type: "opaque", dialect: responsesDialect, value };
}

function parseImage(part: JsonObject, field: string): ContentPart {
  const url = optString(part, "image_url", field);
  const detail = optString(part, "detail", field);
  if (url !== undefined) return imageFromUrl(url, detail, fieldPath(field, "image_url"));
  // A file id names an upload at OpenAI: only an OpenAI upstream can resolve it.
  if (optString(part, "file_id", field) !== undefined) return opaque(part);
  fail(fieldPath(field, "image_url"), "is required (or file_id)");
}

function parsePart(value: unknown, field: string, role: keyof typeof partTypes): ContentPart {
  const part = asObject(value, field);
  const type = oneOf(part.type, partTypes[role], fieldPath(field, "type"));
  switch (type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: asString(part.text, fieldPath(field, "text")) };
    case "refusal":
      return { type: "refusal", text: asString(part.refusal, fieldPath(field, "refusal")) };
    case "input_image":
      return parseImage(part, field);
    case "input_file": {
      const inline = typeof part.file_data === "string" ? base64DataUrl(part.file_data) : undefined;
      if (inline) checkBase64Media(inline.data, inline.mediaType, fieldPath(field, "file_data"));
      return opaque(part);
    }
    default:
      return opaque(part);
  }
}

function parseContent(value: unknown, field: string, role: keyof typeof partTypes): ContentPart[] {
  if (typeof value === "string") return [{ type: "text", text: value }];
  return asArray(value, field).map((part, index) => parsePart(part, fieldPath(field, index), role));
}

/** A tool's output: text, or parts of which text and image URLs have a canonical form. */
function parseOutput(value: unknown, field: string, warn: Warn): string | Array<TextPart | ImagePart> {
  if (typeof value === "string") return value;
  const parts: Array<TextPart | ImagePart> = [];
  asArray(value, field).forEach((item, index) => {
    const partField = fieldPath(field, index);
    const part = parsePart(item, partField, "user");
    if (part.type === "text" || part.type === "image") parts.push(part);
    else
      warn(
        partField,
        `this ${String((item as JsonObject).type)} part of a function_call_output has no canonical form; only an OpenAI Responses upstream receives it`,
      );
  });
  return parts;
}

class MessageList {
  readonly messages: CanonicalMessage[] = [];

  /** Parts for `role`, merged into the last message when it has that role and `merge` is set. */
  add(role: MessageRole, parts: ContentPart[], merge: boolean): void {
    // An assistant message with nothing in it (content "") says nothing; upstreams refuse empty turns.
    if (parts.length === 0 && role === "assistant") return;
    const last = this.messages.at(-1);
    if (merge && last?.role === role) last.content.push(...parts);
    else this.messages.push({ role, content: parts });
  }
}

function parseMessage(item: JsonObject, field: string, system: SystemPart[], list: MessageList): void {
  const role = oneOf(item.role, ["user", "assistant", "system", "developer"], fieldPath(field, "role"));
  const contentField = fieldPath(field, "content");
  if (role === "system" || role === "developer") {
    for (const part of parseContent(item.content, contentField, "system")) {
      if (part.type !== "text") continue;
      system.push(role === "developer" ? { type: "text", text: part.text, developer: true } : part);
    }
    return;
  }
  const parts = parseContent(item.content, contentField, role);
  if (role === "user") list.add("user", parts, false);
  else
    list.add(
      "assistant",
      parts.filter((part) => part.type !== "text" || part.text !== ""),
      true,
    );
}

function parseItem(value: unknown, field: string, system: SystemPart[], list: MessageList, warn: Warn): void {
  const item = asObject(value, field);
  const type =
    item.type === undefined || item.type === null ? "message" : asString(item.type, fieldPath(field, "type"));
  switch (type) {
    case "message":
      parseMessage(item, field, system, list);
      return;
    case "function_call": {
      const name = asString(item.name, fieldPath(field, "name"));
      const namespace = optString(item, "namespace", field);
      list.add(
        "assistant",
        [
          {
            type: "tool-call",
            id: asString(item.call_id, fieldPath(field, "call_id")),
            name: namespace === undefined ? name : namespacedName(namespace, name),
            arguments: asString(item.arguments, fieldPath(field, "arguments")),
          },
        ],
        true,
      );
      return;
    }
    case "function_call_output":
      list.add(
        "tool",
        [
          {
            type: "tool-result",
            toolCallId: asString(item.call_id, fieldPath(field, "call_id")),
            content: parseOutput(item.output, fieldPath(field, "output"), warn),
          },
        ],
        true,
      );
      return;
    case "reasoning":
      list.add("assistant", parseReasoningItem(item, field), true);
      return;
    default: {
      const fromModel = modelItemTypes.has(type) || (!clientItemTypes.has(type) && !type.endsWith("_output"));
      if (!modelItemTypes.has(type) && !clientItemTypes.has(type))
        warn(fieldPath(field, "type"), `unknown input item type ${JSON.stringify(type)}, passed on as it is`);
      list.add(fromModel ? "assistant" : "user", [opaque(item)], fromModel);
    }
  }
}

/** A part's media checks, as `parsePart` makes them; `at` names the part, called only for media found. */
function checkPartMedia(part: unknown, at: () => string): void {
  if (!isObject(part)) return;
  const key =
    part.type === "input_image" ? "image_url" : part.type === "input_file" ? "file_data" : undefined;
  const url = key === undefined ? undefined : part[key];
  if (typeof url !== "string" || !url.startsWith("data:")) return;
  const inline = base64DataUrl(url);
  if (inline) checkBase64Media(inline.data, inline.mediaType, `${at()}.${key}`);
}

/**
 * The media checks of `parseResponsesInput` alone, over the items from `from` on, read leniently (nothing else
 * checked, parts whatever the role): for a body an OpenAI Responses upstream takes unparsed.
 */
export function checkResponsesInputMedia(items: readonly unknown[], from: number): void {
  let index = from;
  let list = "content";
  let partIndex = 0;
  const at = () => `input[${index}].${list}[${partIndex}]`;
  for (; index < items.length; index++) {
    const item = items[index];
    if (!isObject(item)) continue;
    const type = item.type ?? "message";
    list = type === "message" ? "content" : type === "function_call_output" ? "output" : "";
    const parts = list === "" ? undefined : item[list];
    if (!Array.isArray(parts)) continue;
    for (partIndex = 0; partIndex < parts.length; partIndex++) checkPartMedia(parts[partIndex], at);
  }
}

/** `input`: a string (one user message) or a list of items. System and developer text goes to `system`. */
export function parseResponsesInput(value: unknown, system: SystemPart[], warn: Warn): CanonicalMessage[] {
  if (typeof value === "string") return [{ role: "user", content: [{ type: "text", text: value }] }];
  const list = new MessageList();
  asArray(value, "input").forEach((item, index) => {
    parseItem(item, fieldPath("input", index), system, list, warn);
  });
  return list.messages;
}
