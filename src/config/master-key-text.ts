/** How to make a master key; every message about a malformed one ends with it. */
export const MASTER_KEY_ADVICE =
  "a master key is 32 random bytes in base64; make one with `openssl rand -base64 32` or `tollgate secrets generate-key`";

const BASE64 = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL = /^[A-Za-z0-9_-]{43}=?$/;

/**
 * The 32 bytes a master key's text stands for (base64 or base64url, surrounding whitespace ignored), or
 * `undefined` when it is anything else. Checked strictly: Buffer.from would decode garbage to some bytes.
 */
export function decodeMasterKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const encoding = BASE64.test(trimmed) ? "base64" : BASE64URL.test(trimmed) ? "base64url" : undefined;
  if (encoding === undefined) return undefined;
  const bytes = Buffer.from(trimmed, encoding);
  return bytes.length === 32 ? bytes : undefined;
}
