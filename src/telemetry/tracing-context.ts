import type { IncomingHttpHeaders } from "node:http";

/** A parent from W3C `traceparent`: its trace, the caller's span, whether the caller sampled it. */
export interface IncomingParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const zeros = /^0+$/;
const lowerHex = /^[0-9a-f]+$/;

/**
 * Reads `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header): `00-<32 hex>-<16 hex>-<2 hex>`;
 * a later version may append fields after a dash. Anything invalid (upper case, all-zero ids, version ff) is
 * ignored and the request starts a new trace, as the specification asks.
 */
export function parseTraceparent(headers: IncomingHttpHeaders): IncomingParent | undefined {
  const value = headers.traceparent;
  if (typeof value !== "string" || value.length < 55) return undefined;
  const version = value.slice(0, 2);
  if (version === "ff" || !lowerHex.test(version)) return undefined;
  if (value[2] !== "-" || value[35] !== "-" || value[52] !== "-") return undefined;
  if (version === "00" ? value.length !== 55 : value.length > 55 && value[55] !== "-") return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!lowerHex.test(traceId) || !lowerHex.test(spanId) || !lowerHex.test(flags)) return undefined;
  if (zeros.test(traceId) || zeros.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** `00-<trace>-<span>-<01|00>`. */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}
