import { z } from "zod";
import type { Secret } from "../secret.js";
import { concreteString, secret, url } from "./common.js";

/** RFC 9110 `token`: what a header name may be made of (no spaces, no colons). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What Node and undici refuse in a header value (their own regex): CR, LF, NUL, other controls, above U+00FF. */
const INVALID_VALUE_CHARACTER = /[^\t\x20-\x7e\x80-\xff]/;

/** Framing headers undici sets itself and refuses from a caller: each one would fail every request. */
const MANAGED_HEADERS = new Set([
  "connection",
  "content-length",
  "expect",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
]);

/** Why `name` cannot be sent as a request header, or undefined. */
export function headerNameProblem(name: string): string | undefined {
  if (!TOKEN.test(name)) {
    return "is not a valid HTTP header name: use letters, digits and ! # $ % & ' * + - . ^ _ ` | ~ only (no spaces or colons)";
  }
  if (MANAGED_HEADERS.has(name.toLowerCase()))
    return `\`${name.toLowerCase()}\` is managed by the gateway's HTTP client and cannot be set`;
  return undefined;
}

/** Why `value` cannot be sent in a header, without quoting it (it is usually a credential), or undefined. */
export function headerValueProblem(value: string): string | undefined {
  const found = INVALID_VALUE_CHARACTER.exec(value);
  if (!found) return undefined;
  const code = found[0].codePointAt(0)!;
  const character = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  const where = `at position ${found.index + 1} of ${value.length}`;
  if (code === 0x0a || code === 0x0d) {
    return `contains a line break (${character}) ${where}, which HTTP headers cannot carry; remove it (a value read from a file or a here-document keeps its final newline)`;
  }
  return `contains ${code < 0x20 || code === 0x7f ? "a control character" : "a character HTTP headers cannot carry"} (${character}) ${where}; headers take printable ASCII (and Latin-1)`;
}

/** Request headers from the config (names and values checked once, at load): values are secrets. */
export const httpHeaders = z.record(z.string(), secret).superRefine((headers, context) => {
  for (const [name, value] of Object.entries(headers)) {
    const problem = headerNameProblem(name) ?? headerValueProblem((value as Secret).reveal());
    if (problem) context.addIssue({ code: "custom", path: [name], message: `header ${problem}` });
  }
});

/**
 * Schemas made here from the shared `secret` and `url`, paired with the one whose input they share: the JSON
 * Schema (json-schema.ts) describes them as it describes those.
 */
export const DERIVED_INPUTS: [z.core.$ZodType, z.core.$ZodType][] = [];

function derived<T extends z.core.$ZodType>(schema: T, base: z.core.$ZodType): T {
  DERIVED_INPUTS.push([schema, base]);
  return schema;
}

/** A credential sent in a header (`Authorization: Bearer …`, `x-api-key`): checked like a header value. */
export const headerSecret = derived(
  secret.superRefine((value, context) => {
    const problem = headerValueProblem(value.reveal());
    if (problem) context.addIssue({ code: "custom", message: problem });
  }),
  secret,
);

/**
 * An upstream URL without `user:password@`: the HTTP client would drop it silently (undici sends only the
 * origin and path), and a URL that carries credentials ends up in logs. `advice` says where they go instead.
 */
export function credentialsInUrlProblem(value: string, advice: string): string | undefined {
  if (!value.includes("@") || !URL.canParse(value)) return undefined;
  const parsed = new URL(value);
  if (parsed.username === "" && parsed.password === "") return undefined;
  // The URL itself is not quoted: its user name may be the credential.
  return `this URL carries credentials (\`user:password@\`), which Tollgate would not send and could not keep out of logs; remove them and ${advice}`;
}

const credentialFree = <T extends z.ZodType<string, string>>(schema: T, advice: string) =>
  derived(
    schema.superRefine((value, context) => {
      const problem = credentialsInUrlProblem(value, advice);
      if (problem) context.addIssue({ code: "custom", message: problem });
    }),
    schema,
  );

/** A provider's endpoint URL. */
export const providerUrl = credentialFree(
  url,
  "put the key in the provider's `accessToken` (or, for an OpenAI-compatible endpoint, an explicit `Authorization` header under `headers`)",
);

/** Bedrock's endpoint: a URL (VPC endpoint) or a bare region. */
export const providerUrlOrRegion = credentialFree(
  concreteString,
  "put the credentials in the provider's `accessToken`",
);

/** An actor source's URL. */
export const actorSourceUrl = credentialFree(url, "send them with `authorization` (or `headers`)");

/** A notification webhook's URL: deliveries are signed, the receiver checks the signature. */
export const webhookUrl = credentialFree(
  url,
  "let the receiver check each delivery's signature (made with the webhook's `secret`)",
);
