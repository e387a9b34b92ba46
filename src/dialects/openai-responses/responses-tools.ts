/**
 * Responses `tools` and `tool_choice` (our API input) → canonical, and the names of namespaced functions.
 *
 * Function tools map one to one. A `namespace` tool (Codex sends its MCP servers' tools this way:
 * `{type: "namespace", name: "mcp__github", description, tools: [{type: "function", name, …}]}`) becomes one
 * canonical function per inner function, named `<namespace>__<name>` (the flat form Codex itself used before
 * namespaces); calls come back split into `namespace` and `name` again (splitToolName). Every other tool
 * (`web_search`, `file_search`, `code_interpreter`, `custom`, `local_shell`…) runs at OpenAI or has no canonical
 * form: it stays an opaque tool of the `openai-responses` dialect, which only an OpenAI Responses upstream can
 * take (see responses-translation.ts).
 */
import type { CanonicalTool, FunctionTool, ToolChoice } from "../../canonical/request.js";
import {
  asArray,
  asObject,
  asString,
  fieldPath,
  isObject,
  type JsonObject,
  oneOf,
  optBoolean,
  optString,
} from "../../canonical/validate.js";

export const responsesDialect = "openai-responses";

/** Joins a namespace and a function name into one canonical tool name. */
export const namespaceSeparator = "__";

/** Tool types of the Responses API other than `function` and `namespace` (opaque here, no warning). */
const knownToolTypes = new Set([
  "file_search",
  "computer",
  "computer_use",
  "computer_use_preview",
  "web_search",
  "web_search_2025_08_26",
  "web_search_preview",
  "web_search_preview_2025_03_11",
  "mcp",
  "code_interpreter",
  "programmatic_tool_calling",
  "image_generation",
  "local_shell",
  "shell",
  "custom",
  "tool_search",
  "apply_patch",
]);

export type Warn = (field: string, message: string) => void;

export function namespacedName(namespace: string, name: string): string {
  return `${namespace}${namespaceSeparator}${name}`;
}

/** Canonical tool name → the namespace and name a client knows it by. */
export type ToolNamespaces = ReadonlyMap<string, { namespace: string; name: string }>;

/** The namespaced functions of a client's request body (read leniently: it was validated on the way in). */
export function readToolNamespaces(body: unknown): ToolNamespaces {
  const namespaces = new Map<string, { namespace: string; name: string }>();
  if (!isObject(body) || !Array.isArray(body.tools)) return namespaces;
  for (const tool of body.tools) {
    if (!isObject(tool) || tool.type !== "namespace" || typeof tool.name !== "string") continue;
    if (!Array.isArray(tool.tools)) continue;
    for (const inner of tool.tools) {
      if (!isObject(inner) || typeof inner.name !== "string") continue;
      namespaces.set(namespacedName(tool.name, inner.name), { namespace: tool.name, name: inner.name });
    }
  }
  return namespaces;
}

/** A canonical tool name as the client's `name` (and `namespace`, for a namespaced function). */
export function splitToolName(
  name: string,
  namespaces: ToolNamespaces,
): { name: string; namespace?: string } {
  const known = namespaces.get(name);
  return known ? { name: known.name, namespace: known.namespace } : { name };
}

/** Keys of a function tool the canonical form carries; the rest (`defer_loading`, `output_schema`…) are extras. */
const functionKeys = new Set(["type", "name", "description", "parameters", "strict"]);

function parseFunction(tool: JsonObject, field: string, namespace?: string): FunctionTool {
  const name = asString(tool.name, fieldPath(field, "name"));
  const canonical: FunctionTool = {
    type: "function",
    name: namespace === undefined ? name : namespacedName(namespace, name),
  };
  const description = optString(tool, "description", field);
  if (description !== undefined) canonical.description = description;
  if (tool.parameters !== undefined && tool.parameters !== null)
    canonical.inputSchema = asObject(tool.parameters, fieldPath(field, "parameters"));
  const strict = optBoolean(tool, "strict", field);
  if (strict !== undefined) canonical.strict = strict;
  let fields: JsonObject | undefined;
  for (const [key, value] of Object.entries(tool)) {
    if (functionKeys.has(key) || value === null) continue;
    fields ??= {};
    fields[key] = value;
  }
  if (fields) canonical.extra = { dialect: responsesDialect, fields };
  return canonical;
}

function opaque(value: JsonObject): CanonicalTool {
  return { type: "opaque", dialect: responsesDialect, value };
}

function parseNamespace(tool: JsonObject, field: string): CanonicalTool[] {
  const namespace = asString(tool.name, fieldPath(field, "name"));
  optString(tool, "description", field);
  const toolsField = fieldPath(field, "tools");
  return asArray(tool.tools, toolsField).map((item, index) => {
    const innerField = fieldPath(toolsField, index);
    const inner = asObject(item, innerField);
    const type = oneOf(inner.type, ["function", "custom"], fieldPath(innerField, "type"));
    if (type === "function") return parseFunction(inner, innerField, namespace);
    return opaque({ ...inner, namespace });
  });
}

export function parseResponsesTools(value: unknown, warn: Warn): CanonicalTool[] {
  return asArray(value, "tools").flatMap((item, index): CanonicalTool[] => {
    const field = fieldPath("tools", index);
    const tool = asObject(item, field);
    const type = asString(tool.type, fieldPath(field, "type"));
    if (type === "function") return [parseFunction(tool, field)];
    if (type === "namespace") return parseNamespace(tool, field);
    if (!knownToolTypes.has(type))
      warn(fieldPath(field, "type"), `unknown tool type ${JSON.stringify(type)}, passed on as it is`);
    return [opaque(tool)];
  });
}

/**
 * `tool_choice`. Choices with no canonical form (`allowed_tools`, a custom or hosted tool, an MCP server) are kept in the
 * dialect's extras for translators to report; canonically they are the nearest mode.
 */
export function parseResponsesToolChoice(value: unknown, extra: JsonObject): ToolChoice {
  if (typeof value === "string") return { type: oneOf(value, ["auto", "none", "required"], "tool_choice") };
  const choice = asObject(value, "tool_choice");
  const type = asString(choice.type, "tool_choice.type");
  if (type === "function") return { type: "tool", name: asString(choice.name, "tool_choice.name") };
  extra.tool_choice = choice;
  if (type === "allowed_tools") {
    asArray(choice.tools, "tool_choice.tools");
    return { type: oneOf(choice.mode, ["auto", "required"], "tool_choice.mode") };
  }
  return { type: "auto" };
}
