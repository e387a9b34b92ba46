import type { Node } from "jsonc-parser";
import type { z } from "zod";
import { closest } from "../edit-distance.js";
import { formatPath, type PathSegment, type Problem } from "../problems.js";
import { isSecretPath, redactSecretsInText } from "../redact.js";
import { UNKNOWN_KEYS_MARKER } from "../schema/common.js";
import type { LineIndex } from "./location.js";
import { offsetOfPath } from "./location.js";

export interface DocumentContext {
  root: Node | undefined;
  lines: LineIndex;
  value: unknown;
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** What a value is, quoted only where it is not a secret; redacted before it is cut, so a cut cannot skip the `@`. */
function describe(value: unknown, secret: boolean): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (secret) return typeof value === "string" ? "a string" : `a ${typeof value}`;
  if (typeof value === "string") {
    const shown = redactSecretsInText(value);
    return `the string ${JSON.stringify(shown.length > 40 ? `${shown.slice(0, 40)}…` : shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

const list = (values: readonly unknown[]) => values.map((value) => `\`${String(value)}\``).join(", ");

function withHint(input: unknown, allowed: readonly unknown[]): string {
  const hint = typeof input === "string" ? closest(input, allowed.map(String)) : undefined;
  return hint ? ` (did you mean \`${hint}\`?)` : "";
}

/** Turns zod issues into problems at JSON paths with line:column, with "did you mean" hints where it helps. */
export function problemsFromZod(
  issues: readonly z.core.$ZodIssue[],
  context: DocumentContext,
  basePath: readonly PathSegment[] = [],
): Problem[] {
  const problems: Problem[] = [];
  const push = (path: readonly PathSegment[], message: string, atKey = false) => {
    const fullPath = [...basePath, ...path];
    const { line, column } = context.lines.position(offsetOfPath(context.root, fullPath, atKey));
    problems.push({ path: formatPath(fullPath), message, line, column, severity: "error" });
  };
  for (const issue of issues) {
    const path = issue.path as PathSegment[];
    const input = valueAt(context.value, [...basePath, ...path]);
    const secret = isSecretPath([...basePath, ...path]);
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed: string[] = issue.message.startsWith(UNKNOWN_KEYS_MARKER)
          ? JSON.parse(issue.message.slice(UNKNOWN_KEYS_MARKER.length))
          : [];
        for (const key of issue.keys) {
          const hint = closest(key, allowed);
          const message = hint
            ? `unknown key \`${key}\` (did you mean \`${hint}\`?)`
            : `unknown key \`${key}\`; allowed here: ${list(allowed)}`;
          push([...path, key], message, true);
        }
        break;
      }
      case "invalid_union": {
        if ("discriminator" in issue && issue.discriminator) {
          const options = (issue as { options?: unknown[] }).options ?? [];
          const message =
            input === undefined
              ? `missing \`${issue.discriminator}\`; expected one of ${list(options)}`
              : `\`${String(input)}\` is not a valid ${issue.discriminator}; expected one of ${list(options)}${withHint(input, options)}`;
          push(path, message);
        } else push(path, issue.message);
        break;
      }
      case "invalid_value": {
        const allowed = issue.values;
        const message =
          input === undefined
            ? `missing; expected one of ${list(allowed)}`
            : allowed.length === 1
              ? `expected \`${String(allowed[0])}\`, got ${describe(input, secret)}`
              : `${describe(input, secret)} is not allowed; expected one of ${list(allowed)}${withHint(input, allowed)}`;
        push(path, message);
        break;
      }
      case "invalid_type": {
        if (input === undefined) push(path, `missing required key \`${String(path[path.length - 1])}\``);
        else
          push(
            path,
            `expected ${issue.expected === "int" ? "an integer" : issue.expected}, got ${describe(input, secret)}`,
          );
        break;
      }
      case "too_small": {
        const what = issue.origin === "array" ? "items" : issue.origin === "string" ? "characters" : "";
        const bound = `${issue.inclusive ? "at least" : "more than"} ${String(issue.minimum)}`;
        push(
          path,
          issue.message.startsWith("Too small") ? `must be ${bound}${what ? ` ${what}` : ""}` : issue.message,
        );
        break;
      }
      case "too_big": {
        const bound = `${issue.inclusive ? "at most" : "less than"} ${String(issue.maximum)}`;
        push(path, issue.message.startsWith("Too big") ? `must be ${bound}` : issue.message);
        break;
      }
      case "invalid_format":
        push(path, issue.message);
        break;
      default:
        push(path, issue.message);
    }
  }
  return problems;
}
