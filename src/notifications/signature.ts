import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-tollgate-signature";
export const TIMESTAMP_HEADER = "x-tollgate-timestamp";

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`. The timestamp (Unix seconds, sent in
 * `X-Tollgate-Timestamp`) is signed with the body so a captured delivery cannot be replayed later:
 * receivers reject timestamps older than a few minutes.
 */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver does (README "Verifying a delivery"); used by the tests as a receiver would. */
export function verifySignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; nowMs?: number } = {},
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(timestamp)) return false;
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signature(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
