import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Unknown-field checking for Kubernetes objects, which the OpenAPI schemas (and so kubernetes-models' validate())
 * leave out: they allow any extra property, where the API server's strict field validation refuses it. A typo
 * such as `readinesProbe` would otherwise pass every check. The known fields are read from kubernetes-models'
 * generated declarations: each object type is a `declare class` listing all its properties, with the types of
 * nested objects imported from their own files.
 */

type FieldType =
  | { kind: "leaf" }
  | { kind: "object"; file: string }
  | { kind: "array"; of: FieldType }
  | { kind: "map"; of: FieldType };

const nodeModules = join(import.meta.dirname, "../../node_modules");
const cache = new Map<string, Map<string, FieldType> | undefined>();

function importsOf(text: string, file: string): Map<string, string> {
  const imports = new Map<string, string>();
  for (const [, names, specifier] of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
    const path = specifier!.startsWith(".")
      ? join(dirname(file), specifier!.replace(/\.js$/, ".d.ts"))
      : join(nodeModules, `${specifier}.d.ts`);
    for (const name of names!.split(",")) imports.set(name.trim(), path);
  }
  return imports;
}

function typeOf(text: string, imports: Map<string, string>): FieldType {
  const source = text.trim();
  const array = /^Array<(.+)>$/s.exec(source);
  if (array) return { kind: "array", of: typeOf(array[1]!, imports) };
  const map = /^\{\s*\[key: string\]: (.+);\s*\}$/s.exec(source);
  if (map) return { kind: "map", of: typeOf(map[1]!, imports) };
  const file = imports.get(source);
  return file ? { kind: "object", file } : { kind: "leaf" };
}

/** The fields of the class declared in `file`, or undefined for a type alias (Quantity, IntOrString: leaves). */
function fieldsOf(file: string): Map<string, FieldType> | undefined {
  if (cache.has(file)) return cache.get(file);
  const text = readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
  const body = /^export declare class \w+ extends [^\n]*\{\n([\s\S]*?)^\}$/m.exec(text)?.[1];
  let fields: Map<string, FieldType> | undefined;
  if (body !== undefined) {
    const imports = importsOf(text, file);
    fields = new Map();
    for (const [, name, type] of body.matchAll(/^ {4}"([^"]+)"\??: ((?:\{\n[\s\S]*?\n {4}\})|[^\n]*);$/gm)) {
      fields.set(name!, typeOf(type!, imports));
    }
  }
  cache.set(file, fields);
  return fields;
}

function check(value: unknown, type: FieldType, path: string, problems: string[]): void {
  if (type.kind === "leaf" || value === null || typeof value !== "object") return;
  if (type.kind === "array" || type.kind === "map") {
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [key, item] of entries) check(item, type.of, `${path}[${JSON.stringify(key)}]`, problems);
    return;
  }
  const fields = fieldsOf(type.file);
  if (!fields) return;
  for (const [key, item] of Object.entries(value)) {
    const field = fields.get(key);
    if (field) check(item, field, `${path}.${key}`, problems);
    else
      problems.push(
        `${path}.${key}: not a field of ${type.file
          .split("/")
          .at(-1)!
          .replace(/\.d\.ts$/, "")}`,
      );
  }
}

/** Every field of `object` that its type (the class declared in `declarations`, a .d.ts file) does not have. */
export function unknownFields(object: unknown, declarations: string): string[] {
  const file = join(nodeModules, declarations);
  if (!fieldsOf(file)) throw new Error(`${declarations} declares no class`);
  const problems: string[] = [];
  check(object, { kind: "object", file }, "", problems);
  return problems;
}
