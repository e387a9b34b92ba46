import { describe, expect, it } from "vitest";
import { base64DataUrl, checkBase64Media } from "./media-bytes.js";
import { InvalidFieldError } from "./validate.js";

const field = "messages[0].content[1].source.data";
const base64 = (bytes: number[] | string) => Buffer.from(bytes as never).toString("base64");
const png = base64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
const jpeg = base64([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]);
const gif = base64("GIF89a\u0001\u0000\u0001\u0000");
const webp = base64("RIFF\u0024\u0000\u0000\u0000WEBPVP8 ");
const pdf = base64("%PDF-1.7\n%âãÏÓ");

function refusal(data: string, mediaType: string): InvalidFieldError | undefined {
  try {
    checkBase64Media(data, mediaType, field);
    return undefined;
  } catch (error) {
    return error as InvalidFieldError;
  }
}

describe("base64 media checks (issue 15: bytes that are not an image were forwarded)", () => {
  it.each([
    ["image/png", png],
    ["image/jpeg", jpeg],
    ["IMAGE/JPEG", jpeg],
    ["image/gif", gif],
    ["image/webp", webp],
    ["application/pdf", pdf],
    // A type whose signature we do not know is the upstream's to judge.
    ["image/heic", base64("anything at all")],
  ])("accepts real %s data", (mediaType, data) => {
    expect(refusal(data, mediaType)).toBeUndefined();
  });

  it.each([
    ["not base64 at all", "this is not base64!", /not valid base64/],
    ["empty", "", /is empty/],
    ["a length no base64 has", `${png}A`, /not valid base64/],
    ["base64 of text", base64("hello, world, not an image"), /not image\/png data/],
    ["a jpeg declared as png", jpeg, /not image\/png data/],
  ])("refuses %s, naming the field, as fatal", (_case, data, message) => {
    const error = refusal(data, "image/png");
    expect(error).toBeInstanceOf(InvalidFieldError);
    expect(error?.field).toBe(field);
    expect(error?.message).toMatch(message);
    expect(error?.message.startsWith(`${field}: `)).toBe(true);
    expect(error?.fatal).toBe(true);
  });

  it("takes a media type named like an object's own property for an unknown type (fuzzing found a TypeError)", () => {
    for (const mediaType of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(refusal(png, mediaType)).toBeUndefined();
    }
  });

  it("refuses a pdf document that is not a pdf", () => {
    expect(refusal(png, "application/pdf")?.message).toMatch(/not application\/pdf data/);
  });

  it("reads only a prefix: a large image is checked as fast as a small one", () => {
    // 8 MB of base64 after a valid header: the check never walks it.
    const big = png + "A".repeat(8 * 1024 * 1024);
    expect(refusal(big, "image/png")).toBeUndefined();
  });

  it("splits data URLs", () => {
    expect(base64DataUrl(`data:image/png;base64,${png}`)).toEqual({ mediaType: "image/png", data: png });
    expect(base64DataUrl("https://example.com/cat.png")).toBeUndefined();
  });
});
