import { redactSecretsInText } from "./redact.js";

export type Severity = "error" | "warning";
export type PathSegment = string | number;

/** One finding about a config document; `line` and `column` are 1-based, 0 when unknown. */
export interface Problem {
  path: string;
  message: string;
  line: number;
  column: number;
  severity: Severity;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `["a", 0, "b.c"]` → `a[0]["b.c"]`; the root is `(root)`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(root)" : out;
}

/** Redacted again here: a problem made outside `loadConfig` (or a key that is a URL) is printed through this. */
export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? ` (${problem.line}:${problem.column})` : "";
  return redactSecretsInText(`${problem.path}: ${problem.message}${where}`);
}

export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}
