/**
 * Compose's variable interpolation, as `docker compose` applies it to compose.yaml before anything else:
 * `${NAME}`, `${NAME:-default}` / `${NAME-default}`, `${NAME:?error}` / `${NAME?error}`, and `$$` for a literal `$`.
 * An unset required variable throws with its message, as compose refuses to start.
 */
export function interpolateCompose(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^{}]|\{[^{}]*\})*))?\}/g,
    (match, name: string | undefined, colon: string, kind: string, rest: string) => {
      if (match === "$$") return "$";
      const value = env[name!];
      const missing = value === undefined || (colon === ":" && value === "");
      if (!missing) return value;
      if (kind === "-") return rest;
      if (kind === "?") throw new Error(`required variable ${name} is missing a value: ${rest}`);
      return "";
    },
  );
}

/** The names compose.yaml reads from the environment (or deploy/.env), and which of them it requires. */
export function composeVariables(text: string): { all: Set<string>; required: Set<string> } {
  const all = new Set<string>();
  const required = new Set<string>();
  for (const match of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?/g)) {
    all.add(match[1]!);
    if (match[2]?.endsWith("?")) required.add(match[1]!);
  }
  return { all, required };
}

/** A `.env` file's assignments (`NAME=value`, comments and blank lines skipped). */
export function parseDotEnv(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) entries.set(match[1]!, match[2]!.trim());
  }
  return entries;
}
