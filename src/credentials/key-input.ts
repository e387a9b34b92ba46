import { credentialsForKey, type Environment, type ResolvedProvider, Secret } from "../config/index.js";
import { GatewayError } from "../errors/index.js";

/** Longer than any provider's API key; a Vertex service account's JSON in base64 is about 3 KB. */
export const MAX_KEY_LENGTH = 8_192;

/** A provider type's own check of a key's shape (Vertex: a service account); the problem, or undefined. */
export type KeyShapeCheck = (provider: ResolvedProvider, key: string) => string | undefined;

/**
 * Checks a key someone wants to store (their own, or a central one through the admin API) and answers a 400
 * naming `key` when it cannot work. The key itself never appears in a message.
 */
export function checkKeyInput(
  body: unknown,
  provider: ResolvedProvider,
  env: Environment,
  shapeCheck?: KeyShapeCheck,
): string {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new GatewayError("invalid_request", 'the request body must be a JSON object: {"key": "..."}');
  const unknown = Object.keys(body).find((field) => field !== "key");
  if (unknown !== undefined)
    throw new GatewayError("invalid_request", `\`${unknown}\`: unknown field; send only \`key\``, {
      param: unknown,
    });
  const key = (body as { key?: unknown }).key;
  const fail = (message: string): never => {
    throw new GatewayError("invalid_request", `\`key\`: ${message}`, { param: "key" });
  };
  if (key === undefined) fail("required");
  if (typeof key !== "string") fail("must be a string");
  const text = key as string;
  if (text.length === 0) fail("must not be empty");
  if (text.length > MAX_KEY_LENGTH)
    fail(`is ${text.length} characters long; at most ${MAX_KEY_LENGTH} are accepted`);
  if (/\s/.test(text)) fail("must not contain whitespace (a key pasted with a line break or a space?)");
  // Control and other non-printable characters never belong in a key and would break an HTTP header.
  if (/[^\x21-\x7e]/.test(text)) fail("may contain only printable ASCII characters");
  const resolved = credentialsForKey(provider.serverConfig, new Secret(text), env);
  if (resolved.error) fail(resolved.error.message.replace(/`accessToken`/g, "the key"));
  const shape = shapeCheck?.(provider, text);
  if (shape !== undefined) fail(shape);
  return text;
}
