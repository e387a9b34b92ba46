export type Environment = Readonly<Record<string, string | undefined>>;

export type InterpolationResult =
  | { ok: true; value: string; interpolated: boolean }
  /** `reference`: the malformed `${…}` the message quotes, so a caller can hide it where the text is a secret. */
  | { ok: false; message: string; reference?: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expands `${NAME}` and `${NAME:-default}` (default when unset or empty, as in the shell). `$${` is a literal `${`.
 * Unlike a regex replace, this reports malformed references instead of leaving them in place.
 */
export function interpolate(input: string, env: Environment): InterpolationResult {
  if (!input.includes("$")) return { ok: true, value: input, interpolated: false };
  let out = "";
  let interpolated = false;
  let index = 0;
  while (index < input.length) {
    const dollar = input.indexOf("$", index);
    if (dollar === -1) {
      out += input.slice(index);
      break;
    }
    out += input.slice(index, dollar);
    if (input.startsWith("$${", dollar)) {
      out += "${";
      index = dollar + 3;
      continue;
    }
    if (input[dollar + 1] !== "{") {
      out += "$";
      index = dollar + 1;
      continue;
    }
    const close = input.indexOf("}", dollar + 2);
    if (close === -1) {
      return {
        ok: false,
        message: `unterminated \`\${\` at character ${dollar + 1}; write \`\${NAME}\`, or \`$\${\` for a literal \`\${\``,
      };
    }
    const body = input.slice(dollar + 2, close);
    const separator = body.indexOf(":-");
    const name = separator === -1 ? body : body.slice(0, separator);
    if (!NAME.test(name)) {
      return {
        ok: false,
        message: `\`\${${body}}\` is not a valid reference; use \`\${NAME}\` or \`\${NAME:-default}\` with NAME made of letters, digits and _`,
        reference: `\${${body}}`,
      };
    }
    const value = env[name];
    if (value !== undefined && (separator === -1 || value !== "")) out += value;
    else if (separator !== -1) out += body.slice(separator + 2);
    else
      return {
        ok: false,
        message: `environment variable ${name} is not set (write \`\${${name}:-default}\` to give a default)`,
      };
    interpolated = true;
    index = close + 1;
  }
  return { ok: true, value: out, interpolated };
}
