import { randomUUID } from "node:crypto";

let prefixTime = -1;
let prefix = "";

/**
 * A UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest random. Event ids
 * have a unique index; random (version 4) ids land on a random page of it at every insert, so a batch of 500
 * events dirtied ~500 pages (SQLite wrote each to its WAL: three 4 KB writes per request at the bench's rate),
 * where time-ordered ids append to the last page or two. The random part is Node's buffered randomUUID; the
 * time part is formatted once per millisecond (formatting it each time cost ten times the random part).
 */
export function timeOrderedUuid(now = Date.now()): string {
  if (now !== prefixTime) {
    const time = now.toString(16).padStart(12, "0");
    prefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    prefixTime = now;
  }
  // random: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; its variant and random bits are kept from the 15th on.
  return prefix + randomUUID().slice(15);
}
