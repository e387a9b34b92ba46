/**
 * Removes credentials from text that came from an upstream (error messages echo keys: OpenAI's
 * "Incorrect API key provided: sk-…", proxies that reflect the Authorization header, Google's
 * `?key=` in URLs). Exact credential values are removed first, then anything shaped like a key.
 */
const REDACTED = "[redacted]";

// Prefixes of provider keys seen in the wild: OpenAI/Anthropic/OpenRouter (sk-), Groq (gsk_),
// Fireworks (fw_), Hugging Face (hf_), xAI (xai-), Vercel AI Gateway (vck_), Tollgate's own (tg_).
const KEY_PATTERN = /\b(?:sk|pk|rk|gsk|fw|hf|xai|vck|tg)[-_][A-Za-z0-9_*-]{8,}/g;
const GOOGLE_KEY_PATTERN = /\bAIza[0-9A-Za-z_-]{20,}/g;
const AWS_ACCESS_KEY_PATTERN = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g;
const BEARER_PATTERN = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
const QUERY_KEY_PATTERN =
  /\b(api[_-]?key|key|token|access_token|x-api-key|api-key)(["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi;

/** Secrets shorter than this are not scrubbed by value: replacing "ab" everywhere would garble text. */
const MIN_SECRET_LENGTH = 6;

export function scrubSecrets(text: string, secrets?: readonly string[]): string {
  let result = text;
  if (secrets) {
    for (const secret of secrets) {
      if (secret.length >= MIN_SECRET_LENGTH && result.includes(secret)) {
        result = result.split(secret).join(REDACTED);
      }
    }
  }
  return result
    .replace(KEY_PATTERN, REDACTED)
    .replace(GOOGLE_KEY_PATTERN, REDACTED)
    .replace(AWS_ACCESS_KEY_PATTERN, REDACTED)
    .replace(BEARER_PATTERN, `$1 ${REDACTED}`)
    .replace(QUERY_KEY_PATTERN, `$1$2${REDACTED}`);
}
