/**
 * JSON Schema → the OpenAPI 3.0 subset Gemini's `functionDeclarations[].parameters` accepts
 * (https://ai.google.dev/api/caching#Schema). Gemini refuses a request whose schema has a keyword outside that
 * subset ("Invalid JSON payload received. Unknown name …"), so such keywords are left out and reported by name
 * (wire-formats §8.2: `$schema`, `additionalProperties`, `$ref`…). Some have a faithful rewrite instead:
 * a local `$ref` is inlined, `type: [T, "null"]` and `anyOf` with `{type: "null"}` become `nullable`, a string
 * `const` a one-value `enum`, `oneOf` `anyOf` (the members of a tool's union are exclusive in practice), a
 * one-member `allOf` its member.
 */
import { fail, isObject, type JsonObject } from "../../canonical/validate.js";

/**
 * Bounds of the conversion, which recurses and inlines `$ref`s: a schema nested deeper, or one whose `$ref`s
 * fan out (each definition using the next twice doubles the output at every step), is refused instead of
 * overflowing the stack or building an exponentially large request.
 */
export const maxSchemaDepth = 64;
export const maxSchemaNodes = 10_000;

const keptKeywords = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "propertyOrdering",
  "default",
  "minimum",
  "maximum",
]);

interface Context {
  root: JsonObject;
  /** `$ref`s being inlined, to stop at a recursive schema. */
  refs: string[];
  dropped: Set<string>;
  /** The request field of the schema, for errors. */
  field: string;
  /** Subschemas converted so far, shared by every level. */
  nodes: { count: number };
}

function resolveRef(root: JsonObject, ref: string): JsonObject | undefined {
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
  if (!match) return undefined;
  const definitions = root[match[1] as string];
  const target = isObject(definitions) ? definitions[decodeURIComponent(match[2] as string)] : undefined;
  return isObject(target) ? target : undefined;
}

function applyType(value: unknown, out: JsonObject): void {
  if (!Array.isArray(value)) {
    out.type = value;
    return;
  }
  const types = value.filter((type) => type !== "null");
  if (types.length < value.length) out.nullable = true;
  if (types.length === 1) out.type = types[0];
  else if (types.length > 1) out.anyOf = types.map((type) => ({ type }));
  else out.type = "null";
}

function applyUnion(members: unknown[], out: JsonObject, context: Context, depth: number): void {
  const converted = members.map((member) => convert(member, context, depth + 1));
  const nonNull = converted.filter((member) => !(member.type === "null" && Object.keys(member).length === 1));
  if (nonNull.length < converted.length) out.nullable = true;
  if (nonNull.length === 1) Object.assign(out, nonNull[0]);
  else if (nonNull.length > 1) out.anyOf = nonNull;
}

function convert(node: unknown, context: Context, depth: number): JsonObject {
  if (depth > maxSchemaDepth)
    fail(context.field, `nested more than ${maxSchemaDepth} levels (counting inlined $refs)`);
  if (++context.nodes.count > maxSchemaNodes)
    fail(context.field, `has more than ${maxSchemaNodes} subschemas once its $refs are inlined`);
  if (node === true) return {};
  if (!isObject(node)) {
    context.dropped.add(node === false ? "false schema" : "non-object schema");
    return {};
  }
  const out: JsonObject = {};
  if (typeof node.$ref === "string") {
    const ref = node.$ref;
    const target = resolveRef(context.root, ref);
    if (!target) context.dropped.add("$ref");
    else if (context.refs.includes(ref)) context.dropped.add("$ref (recursive)");
    else Object.assign(out, convert(target, { ...context, refs: [...context.refs, ref] }, depth + 1));
  }
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case "$ref":
      case "$defs":
      case "definitions":
        // Read through $ref above; an unresolved $ref is what gets reported.
        break;
      case "type":
        applyType(value, out);
        break;
      case "properties":
        if (isObject(value)) {
          const properties: JsonObject = {};
          for (const [name, schema] of Object.entries(value))
            properties[name] = convert(schema, context, depth + 1);
          out.properties = properties;
        } else context.dropped.add(key);
        break;
      case "items":
        if (isObject(value) || value === true) out.items = convert(value, context, depth + 1);
        else context.dropped.add("items (tuple form)");
        break;
      case "anyOf":
      case "oneOf":
        if (Array.isArray(value)) applyUnion(value, out, context, depth);
        else context.dropped.add(key);
        break;
      case "allOf":
        if (Array.isArray(value) && value.length === 1)
          Object.assign(out, convert(value[0], context, depth + 1));
        else context.dropped.add(key);
        break;
      case "const":
        if (typeof value === "string") {
          out.enum = [value];
          out.type ??= "string";
        } else context.dropped.add(key);
        break;
      default:
        if (keptKeywords.has(key)) out[key] = value;
        else context.dropped.add(key);
    }
  }
  return out;
}

export interface GeminiSchema {
  /** Undefined for a function without parameters: Gemini refuses an OBJECT schema with no properties. */
  schema: JsonObject | undefined;
  /** The keywords left out, in the order first met. */
  dropped: string[];
}

/** `field` names the schema in errors (a schema past the bounds above fails with an InvalidFieldError). */
export function geminiParameters(schema: Record<string, unknown>, field = "parameters"): GeminiSchema {
  const context: Context = { root: schema, refs: [], dropped: new Set(), field, nodes: { count: 0 } };
  const converted = convert(schema, context, 1);
  const properties = converted.properties;
  const empty =
    converted.type === "object" &&
    (!isObject(properties) || Object.keys(properties).length === 0) &&
    converted.anyOf === undefined;
  return { schema: empty ? undefined : converted, dropped: [...context.dropped] };
}
