/**
 * Strict readers for our own API input. Each names the offending field
 * (`messages[2].content[0].type: expected one of text, image_url`), and null counts as absent for
 * optional fields because OpenAI clients send `"stop": null` and the like.
 */
import type { FieldError } from "./errors.js";

export class InvalidFieldError extends Error {
  readonly field: string;
  /** No upstream may receive the body as it is, not even the client's own dialect (see `refuse`). */
  readonly fatal: boolean;
  constructor(field: string, detail: string, fatal = false) {
    super(`${field}: ${detail}`);
    this.field = field;
    this.fatal = fatal;
  }
}

export function fail(field: string, detail: string): never {
  throw new InvalidFieldError(field, detail);
}

/**
 * Like `fail`, for input that is wrong whoever reads it (an empty conversation, image bytes that are not an
 * image, nesting past the limit): a same-dialect pass-through, which forwards a body the canonical form cannot
 * read, must refuse it too.
 */
export function refuse(field: string, detail: string): never {
  throw new InvalidFieldError(field, detail, true);
}

export function fieldPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  return base === "" ? key : `${base}.${key}`;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.length > 40 ? "a string" : JSON.stringify(value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

export type JsonObject = Record<string, unknown>;

/**
 * `table[key]` for a key from outside (a client's media type, an upstream's finish reason): only the table's own
 * entries, never what its prototype answers to `__proto__`, `constructor` or `toString`.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, field: string): JsonObject {
  if (!isObject(value)) fail(field, `expected an object, got ${describe(value)}`);
  return value;
}

export function asArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) fail(field, `expected an array, got ${describe(value)}`);
  return value;
}

export function asString(value: unknown, field: string): string {
  if (typeof value !== "string") fail(field, `expected a string, got ${describe(value)}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    fail(field, `expected one of ${allowed.join(", ")}, got ${describe(value)}`);
  }
  return value as T;
}

export function optString(object: JsonObject, key: string, base: string): string | undefined {
  const value = object[key];
  return value === undefined || value === null ? undefined : asString(value, fieldPath(base, key));
}

export function optBoolean(object: JsonObject, key: string, base: string): boolean | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean")
    fail(fieldPath(base, key), `expected true or false, got ${describe(value)}`);
  return value;
}

export interface NumberRange {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A maximum of output tokens: a positive integer below 2^31, whatever the model (DESIGN §8 "Output token ceiling"). */
export const maxTokensRange: NumberRange = { min: 1, max: 2 ** 31 - 1, integer: true };

export function asNumber(value: unknown, field: string, range: NumberRange = {}): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    fail(field, `expected a number, got ${describe(value)}`);
  if (range.integer && !Number.isInteger(value)) fail(field, `expected an integer, got ${value}`);
  if (range.min !== undefined && value < range.min)
    fail(field, `must be at least ${range.min}, got ${value}`);
  if (range.max !== undefined && value > range.max) fail(field, `must be at most ${range.max}, got ${value}`);
  return value;
}

export function optNumber(
  object: JsonObject,
  key: string,
  base: string,
  range: NumberRange = {},
): number | undefined {
  const value = object[key];
  return value === undefined || value === null ? undefined : asNumber(value, fieldPath(base, key), range);
}

/** A string or a list of strings (`stop`), as a list. */
export function optStringList(
  object: JsonObject,
  key: string,
  base: string,
  maxItems?: number,
): string[] | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  const field = fieldPath(base, key);
  if (typeof value === "string") return [value];
  const items = asArray(value, field).map((item, index) => asString(item, fieldPath(field, index)));
  if (maxItems !== undefined && items.length > maxItems) {
    fail(field, `at most ${maxItems} entries are allowed, got ${items.length}`);
  }
  return items;
}

/** A string-to-string map (`metadata`). */
export function optStringMap(
  object: JsonObject,
  key: string,
  base: string,
): Record<string, string> | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  const field = fieldPath(base, key);
  const map = asObject(value, field);
  const result: Record<string, string> = {};
  for (const [name, item] of Object.entries(map)) result[name] = asString(item, fieldPath(field, name));
  return result;
}

/** Runs a strict parser; an InvalidFieldError becomes a FieldError result, anything else is a bug and rethrown. */
export function catchFieldError<T>(
  parse: () => T,
): { ok: true; value: T } | { ok: false; error: FieldError } {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (error instanceof InvalidFieldError) {
      const fieldError: FieldError = { field: error.field, message: error.message };
      if (error.fatal) fieldError.fatal = true;
      return { ok: false, error: fieldError };
    }
    throw error;
  }
}

/**
 * For a pass that looks again at what a strict parse stopped before reading (the fatal checks of a body passed
 * through unparsed): where in the conversation list `list` (messages, input) to begin. The index of the item
 * the parse stopped in, as the items before it were read in full; 0 when it stopped before reaching the list;
 * undefined when it stopped at a top-level field in `readAfter`, read only once the whole list was.
 */
export function unreadFrom(
  stoppedAt: string,
  list: string,
  readAfter: ReadonlySet<string>,
): number | undefined {
  const end = stoppedAt.search(/[.[]/);
  const top = end === -1 ? stoppedAt : stoppedAt.slice(0, end);
  if (readAfter.has(top)) return undefined;
  if (top !== list || stoppedAt[end] !== "[") return 0;
  return Number.parseInt(stoppedAt.slice(end + 1), 10);
}

/** The keys of `object` not in `known`, as a bag (dialect passthrough), or undefined when there are none. */
export function unknownKeys(object: JsonObject, known: ReadonlySet<string>): JsonObject | undefined {
  let extra: JsonObject | undefined;
  for (const [key, value] of Object.entries(object)) {
    if (known.has(key)) continue;
    extra ??= {};
    extra[key] = value;
  }
  return extra;
}
