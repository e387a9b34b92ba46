import { UsageError } from "./io.js";

/** DESIGN §8: commands that talk to a running gateway take `--url`, else `$TOLLGATE_URL`, else the default. */
export const DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080";

/** The URL of `path` on the gateway the command talks to; a usage error when `--url` is not a URL. */
export function gatewayUrl(
  path: string,
  option: string | undefined,
  env: Record<string, string | undefined>,
): URL {
  const base = option ?? env.TOLLGATE_URL ?? DEFAULT_GATEWAY_URL;
  try {
    return new URL(path, base);
  } catch {
    throw new UsageError(`--url must be a URL such as ${DEFAULT_GATEWAY_URL}; got \`${base}\``);
  }
}
