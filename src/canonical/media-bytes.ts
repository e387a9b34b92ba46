/**
 * A look at the first bytes of base64 media a client sends (images, PDF documents): is it base64, and does it
 * start like the media type it declares? Only a short prefix is decoded, never the whole file, so the check
 * costs the same for a 5 MB image as for a tiny one. Upstreams refuse such data with errors of their own
 * wording, or worse, bill a request they then cannot read; the gateway names the field instead.
 */
import { refuse } from "./validate.js";

/**
 * How each known media type starts (https://en.wikipedia.org/wiki/List_of_file_signatures). A Map: the media
 * type is the client's text, and an object would answer `__proto__` or `constructor` with its prototype's.
 */
const jpeg = (bytes: Buffer) => startsWith(bytes, [0xff, 0xd8, 0xff]);
const signatures = new Map<string, (bytes: Buffer) => boolean>([
  ["image/png", (bytes) => startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ["image/jpeg", jpeg],
  ["image/jpg", jpeg],
  ["image/gif", (bytes) => /^GIF8[79]a$/.test(bytes.toString("latin1", 0, 6))],
  [
    "image/webp",
    (bytes) => bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP",
  ],
  ["application/pdf", (bytes) => bytes.toString("latin1", 0, 5) === "%PDF-"],
]);

function startsWith(bytes: Buffer, prefix: number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

/** 16 characters decode to 12 bytes, enough for every signature above. */
const prefixLength = 16;
const base64Prefix = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Refuses (a 400 naming `field`, even on a pass-through) data that is not base64, or whose first bytes are not
 * those of `mediaType` when that is a type we know the signature of. Other media types are the upstream's
 * to judge.
 */
export function checkBase64Media(data: string, mediaType: string, field: string): void {
  if (data.length === 0) refuse(field, "is empty; expected base64-encoded data");
  const prefix = data.length > prefixLength ? data.slice(0, prefixLength) : data;
  // The only other place a non-base64 character is cheap to spot: a data length no base64 text has.
  if (!base64Prefix.test(prefix) || data.length % 4 === 1)
    refuse(field, "is not valid base64 (the standard alphabet A-Z, a-z, 0-9, + and /)");
  const signature = signatures.get(mediaType.toLowerCase());
  if (signature && !signature(Buffer.from(prefix, "base64")))
    refuse(field, `is not ${mediaType} data: its decoded bytes do not start like a file of that type`);
}

/** `data:<media type>;base64,<data>`: its parts, or undefined for any other URL. */
export function base64DataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1] ?? "", data: match[2] ?? "" } : undefined;
}
