import type { TranslationWarning } from "../canonical/errors.js";

const maxHeaderLength = 2000;

/**
 * Translation warnings for the `x-tollgate-warnings` response header (STYLE: unsupported
 * parameters are reported, never dropped silently). Header values must be one line of ASCII.
 */
export function warningHeader(warnings: readonly TranslationWarning[]): string | undefined {
  if (warnings.length === 0) return undefined;
  const text = warnings.map((warning) => `${warning.field}: ${warning.message}`).join("; ");
  const ascii = text.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length > maxHeaderLength
    ? `${ascii.slice(0, maxHeaderLength - 1)}…`.replace(/…$/, "...")
    : ascii;
}
