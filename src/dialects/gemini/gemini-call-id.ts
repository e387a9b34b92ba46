/**
 * Ids for Gemini function calls. Gemini usually gives none (wire-formats §4.3; an optional `functionCall.id`
 * is used as is when present), so the gateway names each call `call_<n>_<h>`: `n` is the call's position among
 * the response's function calls (0, 1, …) and `h` the first 12 hex digits of SHA-256 over the response's
 * `responseId` and the function name. The same response always gets the same ids, streamed or not, and calls
 * of different responses get different ones (clients and other upstreams want ids unique in a conversation).
 * Nothing is ever parsed back out of an id: the next request finds a tool result's function name through the
 * earlier tool call that has the same id (gemini-contents.ts).
 */
import { createHash } from "node:crypto";

export function geminiCallId(responseId: string, position: number, name: string): string {
  const hash = createHash("sha256").update(`${responseId}\u0000${name}`).digest("hex").slice(0, 12);
  return `call_${position}_${hash}`;
}
