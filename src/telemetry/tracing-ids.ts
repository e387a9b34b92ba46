import { randomFillSync } from "node:crypto";

/**
 * Trace and span ids from a pooled random buffer: every request needs a trace id and a span id for its
 * `x-trace`/`x-span` headers even when nothing is exported, and one `randomBytes` call per id cost more
 * than the rest of an unexported trace. One 4 KiB refill serves about 170 requests.
 */
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function take(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  // All zeros is the invalid id (W3C trace context); a CSPRNG gives it with probability 2^-64 at most.
  const id = pool.toString("hex", start, offset);
  return id.charCodeAt(0) === 48 && /^0+$/.test(id) ? take(bytes) : id;
}

/** 32 lower-case hex characters. */
export function newTraceId(): string {
  return take(16);
}

/** 16 lower-case hex characters. */
export function newSpanId(): string {
  return take(8);
}

/** The same ids for the OpenTelemetry SDK (its `IdGenerator`), so recorded and unrecorded spans share one source. */
export const pooledIdGenerator = { generateTraceId: newTraceId, generateSpanId: newSpanId };
