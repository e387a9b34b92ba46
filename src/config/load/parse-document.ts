import {
  findNodeAtOffset,
  getNodePath,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from "jsonc-parser";
import { formatPath, type PathSegment, type Problem } from "../problems.js";
import { isSecretPath, REDACTED } from "../redact.js";
import { type Environment, interpolate } from "./interpolate.js";
import { LineIndex } from "./location.js";

export const MAX_CONFIG_BYTES = 5 * 1024 * 1024;

export interface ParsedDocument {
  value: unknown;
  root: Node | undefined;
  lines: LineIndex;
  problems: Problem[];
}

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: "unexpected character; this is not valid JSON(C) here",
  InvalidNumberFormat: "invalid number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected `:` after the property name",
  CommaExpected: "expected `,` between entries",
  CloseBraceExpected: "expected `}` to close this object",
  CloseBracketExpected: "expected `]` to close this array",
  EndOfFileExpected: "unexpected content after the end of the document (an extra `}` or `]`?)",
  InvalidCommentToken: "invalid comment",
  UnexpectedEndOfComment: "unterminated /* comment */",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unterminated number",
  InvalidUnicode: "invalid \\u escape",
  InvalidEscapeCharacter: "invalid escape character in string",
  InvalidCharacter: "invalid character in string (control characters must be escaped)",
};

/**
 * Parses JSONC into a plain value, expanding `${ENV}` references in strings, and keeps the syntax tree so every
 * later problem can be placed at its line and column. Never throws: everything wrong becomes a problem.
 */
export function parseDocument(text: string, env: Environment): ParsedDocument {
  const lines = new LineIndex(text);
  const problems: Problem[] = [];
  const at = (path: readonly PathSegment[], offset: number, message: string) => {
    const { line, column } = lines.position(offset);
    problems.push({ path: formatPath(path), message, line, column, severity: "error" });
  };

  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_CONFIG_BYTES) {
    at([], 0, `the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB; config files are limited to 5 MiB`);
    return { value: undefined, root: undefined, lines, problems };
  }

  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  for (const error of errors) {
    const node = root ? findNodeAtOffset(root, Math.max(0, error.offset - 1), true) : undefined;
    const path = node ? getNodePath(node) : [];
    const atEnd = error.offset >= text.trimEnd().length;
    const code = printParseErrorCode(error.error);
    let message = SYNTAX_MESSAGES[code] ?? "syntax error";
    if (atEnd && (code === "CloseBraceExpected" || code === "CloseBracketExpected")) {
      message = `the file ends before every object and array is closed: ${code === "CloseBraceExpected" ? "`}`" : "`]`"} is missing`;
    }
    at(path, error.offset, message);
  }
  if (!root) {
    if (errors.length === 0) at([], 0, "the file is empty; expected a JSON object");
    return { value: undefined, root, lines, problems };
  }
  const value = toValue(root, [], env, at);
  return { value, root, lines, problems };
}

function toValue(
  node: Node,
  path: PathSegment[],
  env: Environment,
  at: (path: readonly PathSegment[], offset: number, message: string) => void,
): unknown {
  switch (node.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode || typeof keyNode.value !== "string") continue;
        const key = keyNode.value;
        if (seen.has(key))
          at([...path, key], keyNode.offset, `duplicate key \`${key}\`; each key may appear once`);
        seen.add(key);
        // defineProperty so a `__proto__` key is data, not a prototype change.
        Object.defineProperty(out, key, {
          value: valueNode ? toValue(valueNode, [...path, key], env, at) : undefined,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case "array":
      return (node.children ?? []).map((child, index) => toValue(child, [...path, index], env, at));
    case "string": {
      const result = interpolate(node.value as string, env);
      if (result.ok) return result.value;
      // A key pasted as `${sk-…}` into `accessToken` must not come back quoted in the message.
      const { message, reference } = result;
      const hide = reference !== undefined && isSecretPath(path);
      at(path, node.offset, hide ? message.split(reference).join(REDACTED) : message);
      return "";
    }
    default:
      return node.value;
  }
}
