import type { UsageRow } from "../api/types.js";

export type Bucket = "hour" | "day";

const SIZE: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** The start of the bucket holding `time` (UTC, as the server groups). */
export function bucketStart(time: number, bucket: Bucket): number {
  return Math.floor(time / SIZE[bucket]) * SIZE[bucket];
}

/** `count` whole buckets ending with the current one: `from` is a bucket start, `to` is now. */
export function rangeOf(count: number, bucket: Bucket, now = Date.now()): { from: string; to: string } {
  const from = bucketStart(now, bucket) - (count - 1) * SIZE[bucket];
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString() };
}

/** Every bucket from `from` to `to`, with the server's rows where it had any and zeros elsewhere. */
export function fillBuckets(
  rows: UsageRow[],
  bucket: Bucket,
  from: string,
  to: string,
): { at: Date; row?: UsageRow }[] {
  const byStart = new Map<number, UsageRow>();
  for (const row of rows) {
    const key = row[bucket];
    if (typeof key === "string") byStart.set(Date.parse(key), row);
  }
  const out: { at: Date; row?: UsageRow }[] = [];
  for (let start = bucketStart(Date.parse(from), bucket); start < Date.parse(to); start += SIZE[bucket]) {
    const row = byStart.get(start);
    out.push(row ? { at: new Date(start), row } : { at: new Date(start) });
  }
  return out;
}
