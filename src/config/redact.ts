import { findPlaceholder } from "./endpoint.js";

export const REDACTED = "<redacted>";

/**
 * `scheme://user:PASSWORD@`: read from the raw text, not a parsed URL, so a URL that does not parse (the usual
 * reason it is in a message) is covered, and an unencoded `@`, `/` or `?` in the password cannot make a parser
 * split it elsewhere. The password runs to the last `@` before whitespace: a later `@` over-redacts, never leaks.
 */
const USERINFO_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)\S*@/gi;

/** `?name=value` (also `&`, `;`, `#`); the value stops at quotes and backticks, which end a quoted URL. */
const PARAMETER = /([?&;#])([^=&;#\s?]+)=([^&;#\s`"']*)/g;

/** Query parameters that carry credentials: `key`, `api_key`, `x-api-key`, `access_token`, `X-Amz-Signature`… */
const SECRET_PARAMETER =
  /^(?:[a-z0-9]+[_-])*(?:api)?(?:key|token|password|passwd|pwd|secret|sig|signature|auth)$/i;

/** Text with URL passwords and secret query parameters replaced by `<redacted>`; anything else is kept. */
export function redactSecretsInText(text: string): string {
  return text
    .replace(USERINFO_PASSWORD, `$1${REDACTED}@`)
    .replace(PARAMETER, (whole, separator: string, name: string) =>
      SECRET_PARAMETER.test(name) ? `${separator}${name}=${REDACTED}` : whole,
    );
}

/**
 * Settings whose values are credentials, by key name: `accessToken`, `masterKey`, `previousKeys`, `tokens`,
 * `secrets`, `authorization`, `headers`, `credentialsJSON`. By name rather than by schema, so a setting added
 * later with such a name is covered; a count that happens to be called `tokens` is merely not quoted.
 */
const SECRET_KEY = /(?:token|key|secret|password)s?$|^(?:authorization|headers|credentialsJSON)$/i;

export function isSecretPath(path: readonly (string | number)[]): boolean {
  return path.some((segment) => typeof segment === "string" && SECRET_KEY.test(segment));
}

/** Values shorter than this are not replaced by value: replacing "ab" everywhere would garble messages. */
const MIN_SECRET_LENGTH = 6;

/** Every string under a secret setting in a config document, for `hideValues`; a pasted `<API_KEY>` is no secret. */
export function secretValuesIn(document: unknown, path: (string | number)[] = []): string[] {
  if (typeof document === "string") {
    const secret = document.length >= MIN_SECRET_LENGTH && findPlaceholder(document) !== document;
    return secret && isSecretPath(path) ? [document] : [];
  }
  if (document === null || typeof document !== "object") return [];
  return Object.entries(document).flatMap(([key, value]) =>
    secretValuesIn(value, [...path, Array.isArray(document) ? Number(key) : key]),
  );
}

/** `text` with every occurrence of each value replaced; longest first, so a value inside another goes too. */
export function hideValues(text: string, values: readonly string[]): string {
  let result = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    if (value.length >= MIN_SECRET_LENGTH && result.includes(value))
      result = result.split(value).join(REDACTED);
  }
  return result;
}
