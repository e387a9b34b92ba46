/**
 * Streamed function-call arguments (Vertex `functionCall.partialArgs`, only when explicitly enabled:
 * wire-formats §4.4). Each entry sets one value at a JSONPath (`$.recipe.ingredients[0].name`); a string value
 * with `willContinue: true` is continued by the next entry for the same path, which appends to it.
 */
import { isObject, type JsonObject } from "../../canonical/validate.js";

type Key = string | number;

/** `$.a.b[0]['c d']` → ["a", "b", 0, "c d"]; undefined for a path this reader does not understand. */
export function parseJsonPath(path: string): Key[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const keys: Key[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (!match) return undefined;
    if (match[2] !== undefined) keys.push(Number(match[2]));
    else keys.push(match[1] ?? match[3] ?? match[4] ?? "");
  }
  return keys;
}

export interface PartialArguments {
  /** Applies one `partialArgs` list; entries it cannot read are skipped. */
  apply(entries: unknown): void;
  /** The arguments so far, as JSON text. */
  json(): string;
}

const unsafeKeys = new Set(["__proto__", "constructor", "prototype"]);

export function createPartialArguments(): PartialArguments {
  const root: JsonObject = {};
  let continuing: string | undefined;

  const set = (keys: Key[], value: unknown, append: boolean): void => {
    // Paths come from the model's output: `__proto__` and friends would reach Object.prototype.
    if (keys.some((key) => typeof key === "string" && unsafeKeys.has(key))) return;
    let node: JsonObject | unknown[] = root;
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as Key;
      const last = index === keys.length - 1;
      const container = node as Record<Key, unknown>;
      if (last) {
        const previous = container[key];
        container[key] = append && typeof previous === "string" ? previous + String(value) : value;
        return;
      }
      let next = container[key];
      if (!isObject(next) && !Array.isArray(next)) {
        next = typeof keys[index + 1] === "number" ? [] : {};
        container[key] = next;
      }
      node = next as JsonObject | unknown[];
    }
  };

  return {
    apply(entries) {
      if (!Array.isArray(entries)) return;
      for (const entry of entries) {
        if (!isObject(entry) || typeof entry.jsonPath !== "string") continue;
        const keys = parseJsonPath(entry.jsonPath);
        if (!keys || keys.length === 0) continue;
        let value: unknown;
        if (typeof entry.stringValue === "string") value = entry.stringValue;
        else if (typeof entry.numberValue === "number") value = entry.numberValue;
        else if (typeof entry.boolValue === "boolean") value = entry.boolValue;
        else if ("nullValue" in entry) value = null;
        else continue;
        set(keys, value, continuing === entry.jsonPath && typeof value === "string");
        continuing = entry.willContinue === true ? entry.jsonPath : undefined;
      }
    },
    json: () => JSON.stringify(root),
  };
}
